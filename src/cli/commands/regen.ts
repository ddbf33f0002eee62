/** `tlbcheck regen`: rewrite counterexamples/ from the violating rows of the default matrix. */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findModel, SUITES } from '../../../models/index.ts';
import { fileNameFor, generateForSuite } from '../../counterexample/generate.ts';
import { renderTraceFile } from '../../counterexample/render-file.ts';
import { boundText } from '../../render/report.ts';
import { selectRows } from '../../suite/suite.ts';
import { parseArgs, quote, shellQuote, UsageError } from '../args.ts';
import { EXIT, HELP_OPTION, type Command, type Io } from '../command.ts';
import { checkOutputPaths, ensureDirectory, writeFileAtomic } from '../output.ts';

export const DEFAULT_COUNTEREXAMPLE_DIR = fileURLToPath(new URL('../../../counterexamples', import.meta.url));

export const regenCommand: Command = {
  name: 'regen',
  summary: 'rewrite counterexamples/: a minimal trace (JSON and text) for every violating matrix row',
  usage: 'tlbcheck regen [--dir DIR] [--only text] [--from id]',
  details:
    'Each file is written whole (a temporary file, then a rename). Interrupted (SIGINT/SIGTERM), it keeps the rows\n' +
    'done, prints the command that goes on from the first row not done, and exits 3.',
  options: [
    { name: 'dir', kind: 'string', valueName: 'dir', description: 'output folder', default: 'counterexamples/ of this checkout' },
    { name: 'only', kind: 'string', valueName: 'text', description: 'only rows whose id contains this text (other files are kept)' },
    { name: 'from', kind: 'string', valueName: 'id', description: 'start at this row (earlier files are kept), e.g. to continue an interrupted run' },
    HELP_OPTION,
  ],
  async run(argv: readonly string[], io: Io): Promise<number> {
    const { positionals, options } = parseArgs(argv, this.options);
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${quote(positionals[0]!)}`);
    const dir = (options.get('dir') as string | undefined) ?? DEFAULT_COUNTEREXAMPLE_DIR;
    const only = options.get('only') as string | undefined;
    const from = options.get('from') as string | undefined;
    const full = SUITES[0]!.build();
    if (from !== undefined && !full.rows.some((r) => r.id === from)) throw new UsageError(`--from ${quote(from)} is not a row id`);
    const suite = { ...full, rows: selectRows(full.rows, only, from) };
    if (suite.rows.length === 0) throw new UsageError(`--only ${quote(only ?? '')} matches no row${from ? ' from that row on' : ''}`);
    checkOutputPaths([{ option: 'dir', path: dir, directory: true }]);
    ensureDirectory(dir);
    const written = new Set<string>();
    const r = generateForSuite(
      suite,
      findModel,
      (g) => {
        writeFileAtomic(join(dir, `${g.name}.json`), `${JSON.stringify(g.file, null, 2)}\n`);
        writeFileAtomic(join(dir, `${g.name}.txt`), `${renderTraceFile(g.file, g.view)}\n`);
        written.add(g.name);
        io.out(`${g.name}: ${g.file.property}, ${g.view.steps.length} steps`);
      },
      io.interrupt ? { interrupt: io.interrupt } : {},
    );
    if (r.stopped) {
      const args = [...argv];
      const i = args.findIndex((a) => a === '--from' || a.startsWith('--from='));
      if (i >= 0) args.splice(i, args[i]!.includes('=') ? 1 : 2);
      const cont = ['tlbcheck', 'regen', ...args, '--from', r.next!].map(shellQuote).join(' ');
      io.out(`${written.size} counterexamples written to ${dir}; stopped (${boundText(r.stopped)}) before ${r.next}, whose files were not touched.\nto go on: ${cont}`);
      return EXIT.incomplete;
    }
    if (only === undefined) {
      // A full regen also removes traces of rows that no longer violate (with --from, the earlier rows' files stay).
      const keep = new Set(full.rows.filter((row) => row.expect.verdict === 'violated').map((row) => fileNameFor(row.id)));
      for (const f of readdirSync(dir)) {
        const m = /^(.*)\.(json|txt)$/.exec(f);
        if (m && !written.has(m[1]!) && (from === undefined || !keep.has(m[1]!) || suite.rows.some((row) => fileNameFor(row.id) === m[1]))) {
          rmSync(join(dir, f));
          io.out(`removed stale ${f}`);
        }
      }
    }
    io.out(`${written.size} counterexamples in ${dir}`);
    return EXIT.holds;
  },
};
