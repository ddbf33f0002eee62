/** `tlbcheck regen`: rewrite counterexamples/ from the violating rows of the default matrix. */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findModel, SUITES } from '../../../models/index.ts';
import { generateForSuite } from '../../counterexample/generate.ts';
import { renderTraceFile } from '../../counterexample/render-file.ts';
import { parseArgs, quote, UsageError } from '../args.ts';
import { EXIT, HELP_OPTION, type Command, type Io } from '../command.ts';
import { checkOutputPaths, ensureDirectory, writeFileAtomic } from '../output.ts';

export const DEFAULT_COUNTEREXAMPLE_DIR = fileURLToPath(new URL('../../../counterexamples', import.meta.url));

export const regenCommand: Command = {
  name: 'regen',
  summary: 'rewrite counterexamples/: a minimal trace (JSON and text) for every violating matrix row',
  usage: 'tlbcheck regen [--dir DIR] [--only text]',
  options: [
    { name: 'dir', kind: 'string', valueName: 'dir', description: 'output folder', default: 'counterexamples/ of this checkout' },
    { name: 'only', kind: 'string', valueName: 'text', description: 'only rows whose id contains this text (other files are kept)' },
    HELP_OPTION,
  ],
  async run(argv: readonly string[], io: Io): Promise<number> {
    const { positionals, options } = parseArgs(argv, this.options);
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${quote(positionals[0]!)}`);
    const dir = (options.get('dir') as string | undefined) ?? DEFAULT_COUNTEREXAMPLE_DIR;
    const only = options.get('only') as string | undefined;
    let suite = SUITES[0]!.build();
    if (only !== undefined) suite = { ...suite, rows: suite.rows.filter((r) => r.id.includes(only)) };
    checkOutputPaths([{ option: 'dir', path: dir, directory: true }]);
    ensureDirectory(dir);
    const written = new Set<string>();
    generateForSuite(suite, findModel, (g) => {
      writeFileAtomic(join(dir, `${g.name}.json`), `${JSON.stringify(g.file, null, 2)}\n`);
      writeFileAtomic(join(dir, `${g.name}.txt`), `${renderTraceFile(g.file, g.view)}\n`);
      written.add(g.name);
      io.out(`${g.name}: ${g.file.property}, ${g.view.steps.length} steps`);
    });
    if (only === undefined) {
      // A full regen also removes traces of rows that no longer violate.
      for (const f of readdirSync(dir)) {
        const m = /^(.*)\.(json|txt)$/.exec(f);
        if (m && !written.has(m[1]!)) {
          rmSync(join(dir, f));
          io.out(`removed stale ${f}`);
        }
      }
    }
    io.out(`${written.size} counterexamples in ${dir}`);
    return EXIT.holds;
  },
};
