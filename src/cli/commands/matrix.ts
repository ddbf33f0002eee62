/** `tlbcheck matrix` (the default command): run the regression matrix and compare with its expectations. */
import { findModel, MODEL_REGISTRY, SUITES } from '../../../models/index.ts';
import { defaultWorkers } from '../../engine/parallel.ts';
import { formatMatrix, matrixDocument } from '../../render/matrix.ts';
import { runSuite, runSuiteParallel } from '../../suite/run.ts';
import type { RowOutcome, Suite } from '../../suite/suite.ts';
import { parseArgs, quote, UsageError } from '../args.ts';
import { EXIT, HELP_OPTION, type Command, type Io } from '../command.ts';
import { propertyNumbers } from '../../../models/tlb/matrix.ts';

export const matrixCommand: Command = {
  name: 'matrix',
  summary: 'run the default check matrix (every backend x path, and DOMAIN §6) against its expected verdicts',
  usage: 'tlbcheck [matrix] [--only text] [--json]',
  details:
    'Each row is an exhaustive search (--all) at small sizes. VIOLATED lists the DOMAIN §5 numbers of the\n' +
    'invariants violated, shortest first; LEN is the shortest counterexample and MIN its length in the smallest\n' +
    'configuration that still violates it (see counterexamples/). For holding rows IPIS, FULL and\n' +
    'PER-PAGE are the worst-case cost over all interleavings. Exit code 0 when every row matches its expected\n' +
    'verdict, 1 when one does not, 3 when a row was cut short by --time-limit.',
  options: [
    { name: 'only', kind: 'string', valueName: 'text', description: 'run only rows whose id contains this text (e.g. arm-2.6.37 or gup)' },
    { name: 'suite', kind: 'enum', values: SUITES.map((s) => s.id), default: SUITES[0]!.id, description: 'which suite' },
    { name: 'time-limit', kind: 'number', min: 0.001, max: 1e7, valueName: 'seconds', description: 'per-row time limit' },
    { name: 'minimize', kind: 'bool', default: true, description: 'shrink each violating row to its smallest violating configuration (MIN column; --no-minimize to skip)' },
    { name: 'workers', kind: 'int', min: 0, max: 256, default: 0, description: 'rows run in parallel on this many threads (0: one per core)' },
    { name: 'json', kind: 'bool', description: 'print the matrix as one JSON document' },
    HELP_OPTION,
  ],
  async run(argv: readonly string[], io: Io): Promise<number> {
    const { positionals, options } = parseArgs(argv, this.options);
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${quote(positionals[0]!)}`);
    const entry = SUITES.find((s) => s.id === (options.get('suite') ?? SUITES[0]!.id))!;
    let suite: Suite = entry.build();
    const only = options.get('only') as string | undefined;
    if (only !== undefined) {
      suite = { ...suite, rows: suite.rows.filter((r) => r.id.includes(only)) };
      if (suite.rows.length === 0) throw new UsageError(`--only ${quote(only)} matches no row`);
    }
    const start = performance.now();
    const tty = io.errIsTty;
    const extra = options.has('time-limit') ? { timeLimitSeconds: options.get('time-limit') as number } : {};
    const workersOpt = (options.get('workers') as number | undefined) ?? 0;
    const workers = workersOpt === 0 ? defaultWorkers() : workersOpt;
    const progress = (o: RowOutcome, done: number): void => {
      if (tty) io.err(`\r\x1b[2K[${done}/${suite.rows.length}] ${o.row.id}: ${o.verdict}`);
    };
    const run = { minimize: (options.get('minimize') as boolean | undefined) ?? true };
    const outcomes =
      workers > 1 && suite.rows.length > 1
        ? await runSuiteParallel(suite, MODEL_REGISTRY, Math.min(workers, suite.rows.length), progress, extra, run)
        : runSuite(suite, findModel, (o, i) => progress(o, i + 1), extra, run);
    if (tty) io.err('\r\x1b[2K');
    const wall = (performance.now() - start) / 1000;
    if (options.get('json')) io.out(JSON.stringify(matrixDocument(suite, outcomes, wall), null, 2));
    else io.out(formatMatrix(suite, outcomes, wall, (id) => propertyNumbers([id])));
    if (outcomes.some((o) => !o.matches)) return EXIT.violated;
    if (outcomes.some((o) => o.verdict === 'incomplete')) return EXIT.incomplete;
    return EXIT.holds;
  },
};
