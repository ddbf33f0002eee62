/** `tlbcheck replay FILE...`: re-execute committed counterexamples against the current model. */
import { readFileSync } from 'node:fs';
import { findModel } from '../../../models/index.ts';
import { replayTraceText, type ReplayOutcome } from '../../counterexample/replay-file.ts';
import { renderTraceFile } from '../../counterexample/render-file.ts';
import { parseArgs, UsageError } from '../args.ts';
import { EXIT, HELP_OPTION, type Command, type Io } from '../command.ts';
import { checkTraceOutputs, writeOutputs } from './check.ts';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay saved counterexamples: exit 1 if the violation still reproduces, 0 if it no longer does, 2 if a file is malformed',
  usage: 'tlbcheck replay FILE... [--quiet] [--expect-violation]',
  details:
    'With one file: exit 1 when it still reaches its violation, 0 when every step replays but the property now\n' +
    'holds (the bug is fixed), 2 when the file is malformed or no longer applies (the reason names the step).\n' +
    'With --expect-violation (for CI): exit 0 when every file still reproduces, 1 when one no longer does, 2 as above.',
  options: [
    { name: 'quiet', kind: 'bool', description: 'print one line per file instead of the trace' },
    { name: 'expect-violation', kind: 'bool', description: 'CI mode: succeed only if every file still violates' },
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
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const o = replayTraceText(text, findModel);
      outcomes.push(o);
      if (o.status === 'invalid') io.err(`tlbcheck: ${path}: ${o.reason}\n`);
      else if (o.status === 'fixed') io.out(`${path}: no longer violates: ${o.reason}`);
      else if (quiet) io.out(`${path}: still violates ${o.file.property} (${o.view.steps.length} steps)`);
      else io.out(`${renderTraceFile(o.file, o.view, io.outIsTty && !process.env['NO_COLOR'])}\n\n${path}: still violates ${o.file.property}`);
      if (o.status === 'violates' && options.has('html')) writeOutputs(new Map([['html', options.get('html')!]]), { file: o.file, view: o.view }, io);
    }
    const invalid = outcomes.some((o) => o.status === 'invalid');
    const fixed = outcomes.some((o) => o.status === 'fixed');
    if (invalid) return EXIT.usage;
    if (options.get('expect-violation')) return fixed ? EXIT.violated : EXIT.holds;
    return fixed ? EXIT.holds : EXIT.violated;
  },
};
