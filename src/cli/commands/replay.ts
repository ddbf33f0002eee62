/** `tlbcheck replay FILE...`: re-execute saved counterexamples (and witnesses) against the current model, strictly. */
import { findModel } from '../../../models/index.ts';
import { InputFileError, readInputFile } from '../../counterexample/read.ts';
import { replayTraceText, type ReplayOutcome } from '../../counterexample/replay-file.ts';
import { renderTraceFile } from '../../counterexample/render-file.ts';
import { parseArgs, quote, UsageError } from '../args.ts';
import { EXIT, HELP_OPTION, type Command, type Io } from '../command.ts';
import { checkTraceOutputs, writeOutputs } from './check.ts';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay saved traces strictly: exit 1 if a violation still reproduces, 0 if it no longer does, 2 if a file does not replay exactly',
  usage: 'tlbcheck replay FILE... [--quiet] [--expect-violation]',
  details:
    'A file replays only exactly: every parameter present, the property of the kind the file says, every step\n' +
    'enabled with the same agent, label and state changes, the violation reached at the last step and not before,\n' +
    'and (for files that have one) a matching digest. Anything else is exit 2, naming the step.\n' +
    'Violation files: exit 1 when one still violates, 0 when every one replays step for step but no longer\n' +
    'violates (the bug is fixed). Witness files (kind reach-state/reach-step): they count as reproducing when\n' +
    'the witness still reaches its state. With --expect-violation (for CI): exit 0 when every file still\n' +
    'reproduces, 1 when one no longer does, 2 as above. Only regular files of at most 32 MiB are read.',
  options: [
    { name: 'quiet', kind: 'bool', description: 'print one line per file instead of the trace' },
    { name: 'expect-violation', kind: 'bool', description: 'CI mode: succeed only if every file still reproduces (violates, or reaches for witnesses)' },
    { name: 'html', kind: 'string', valueName: 'file', description: 'also write the (single) replayed trace as a self-contained HTML page' },
    HELP_OPTION,
  ],
  async run(argv: readonly string[], io: Io): Promise<number> {
    const { positionals, options } = parseArgs(argv, this.options);
    if (positionals.length === 0) throw new UsageError('replay needs at least one trace file');
    if (options.has('html') && positionals.length > 1) throw new UsageError('--html takes a single trace file');
    checkTraceOutputs(options, positionals);
    const quiet = (options.get('quiet') as boolean | undefined) ?? positionals.length > 1;
    const outcomes: ReplayOutcome[] = [];
    for (const path of positionals) {
      let o: ReplayOutcome;
      try {
        o = replayTraceText(readInputFile(path), findModel);
      } catch (e) {
        if (!(e instanceof InputFileError)) throw e;
        o = { status: 'invalid', reason: e.message };
      }
      outcomes.push(o);
      const name = quote(path, 200);
      if (o.status === 'invalid') io.err(`tlbcheck: ${name}: ${o.reason}\n`);
      else if (o.status === 'fixed') io.out(`${path}: no longer violates: ${o.reason}`);
      else if (o.status === 'unreached') io.out(`${path}: no longer reaches: ${o.reason}`);
      else if (o.status === 'violates' || o.status === 'reaches') {
        const verb = o.status === 'violates' ? 'still violates' : 'still reaches';
        if (quiet) io.out(`${path}: ${verb} ${o.file.property} (${o.view.steps.length} steps)`);
        else io.out(`${renderTraceFile(o.file, o.view, io.outIsTty && !process.env['NO_COLOR'])}\n\n${path}: ${verb} ${o.file.property}`);
        if (options.has('html')) writeOutputs(new Map([['html', options.get('html')!]]), { file: o.file, view: o.view }, io);
      }
    }
    if (outcomes.some((o) => o.status === 'invalid')) return EXIT.usage;
    const lost = outcomes.some((o) => o.status === 'fixed' || o.status === 'unreached');
    if (options.get('expect-violation')) return lost ? EXIT.violated : EXIT.holds;
    // Without --expect-violation: 1 when a violation still reproduces or a witness no longer reaches its state.
    return outcomes.some((o) => o.status === 'violates' || o.status === 'unreached') ? EXIT.violated : EXIT.holds;
  },
};
