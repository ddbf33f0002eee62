/** `tlbcheck matrix` (the default command): run the regression matrix and compare with its expectations. */
import { findModel, MODEL_REGISTRY, SUITES } from '../../../models/index.ts';
import { defaultWorkers } from '../../engine/parallel.ts';
import type { SearchOptions } from '../../engine/result.ts';
import { formatMatrix, matrixDocument } from '../../render/matrix.ts';
import { formatBytes } from '../../render/report.ts';
import { runSuite, runSuiteParallel } from '../../suite/run.ts';
import { selectRows, type RowOutcome, type Suite } from '../../suite/suite.ts';
import { parseArgs, quote, shellQuote, UsageError } from '../args.ts';
import { EXIT, HELP_OPTION, type Command, type Io } from '../command.ts';
import { checkMemoryBound } from './check.ts';
import { REDIS_OPTION } from './cluster.ts';
import { batchLine, parseRedisUrl } from '../../cluster/options.ts';

export const matrixCommand: Command = {
  name: 'matrix',
  summary: 'run the default check matrix (every backend x path, and DOMAIN §6) against its expected verdicts',
  usage: `tlbcheck [matrix] [--only text] [--from id] [--suite ${SUITES.map((s) => s.id).join('|')}] [--time-limit S] [--max-memory MiB] [--no-minimize] [--workers N] [--redis URL] [--json]`,
  details:
    'Each row is an exhaustive search (--all) at small sizes. VIOLATED lists the DOMAIN §5 numbers of the\n' +
    'invariants violated, shortest first; LEN is the shortest counterexample and MIN its length in the smallest\n' +
    'configuration that still violates it (see counterexamples/). For holding rows of the tlb suite, IPIS, LEAF,\n' +
    'ALL-LEVEL and FULL are the worst-case cost over all interleavings: IPIs sent, leaf-only invalidates (walk\n' +
    'caches kept), invalidates of every level for an address (leaf and walk cache) and full flushes, counted per\n' +
    'CPU that runs them (on the v6.18 arch backends a broadcast counts once). They are pinned in the suite: a\n' +
    'difference is a mismatch. Violating rows leave them empty; on a row cut short they are lower bounds, marked\n' +
    '>=. Exit code 0 when every row matches its expectation, 1 when one does not, 3 when none mismatched but a\n' +
    'row was cut short (--time-limit, --max-memory) or the run was interrupted; `tlbcheck check --row ID`\n' +
    'reruns one row.',
  options: [
    { name: 'only', kind: 'string', valueName: 'text', description: 'run only rows whose id contains this text (e.g. arm-2.6.37 or gup)' },
    { name: 'from', kind: 'string', valueName: 'id', description: 'start at this row (ids as printed), e.g. to continue an interrupted run' },
    { name: 'suite', kind: 'enum', values: SUITES.map((s) => s.id), default: SUITES[0]!.id, description: 'which suite' },
    { name: 'time-limit', kind: 'number', min: 0.001, max: 1e7, valueName: 'seconds', description: 'per-row time limit (the row and its minimization)' },
    { name: 'max-memory', kind: 'int', min: 16, max: 1 << 30, valueName: 'MiB', description: 'stop a row (incomplete) before the process exceeds this resident size' },
    { name: 'minimize', kind: 'bool', default: true, description: 'shrink each violating row to its smallest violating configuration (MIN column; --no-minimize to skip)' },
    { name: 'workers', kind: 'int', min: 0, max: 256, default: 0, description: 'rows run in parallel on this many threads (0: one per core)' },
    { name: 'json', kind: 'bool', description: 'print the matrix as one JSON document' },
    { ...REDIS_OPTION, description: `${REDIS_OPTION.description}: every row is a job (start \`tlbcheck worker --redis URL\` anywhere)` },
    HELP_OPTION,
  ],
  async run(argv: readonly string[], io: Io): Promise<number> {
    const { positionals, options } = parseArgs(argv, this.options);
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${quote(positionals[0]!)}`);
    const entry = SUITES.find((s) => s.id === (options.get('suite') ?? SUITES[0]!.id))!;
    let suite: Suite = entry.build();
    const only = options.get('only') as string | undefined;
    const from = options.get('from') as string | undefined;
    if (from !== undefined && !suite.rows.some((r) => r.id === from)) throw new UsageError(`--from ${quote(from)} is not a row id of suite ${entry.id}`);
    suite = { ...suite, rows: selectRows(suite.rows, only, from) };
    if (suite.rows.length === 0) throw new UsageError(`--only ${quote(only ?? '')} matches no row${from ? ' from that row on' : ''}`);
    const start = performance.now();
    const tty = io.errIsTty;
    const workersOpt = (options.get('workers') as number | undefined) ?? 0;
    const workers = Math.min(workersOpt === 0 ? defaultWorkers() : workersOpt, suite.rows.length);
    const extra: SearchOptions = {};
    if (options.has('time-limit')) extra.timeLimitSeconds = options.get('time-limit') as number;
    if (options.has('max-memory')) {
      extra.maxMemoryBytes = (options.get('max-memory') as number) * 2 ** 20;
      checkMemoryBound(extra.maxMemoryBytes, workers > 1 ? workers : 0);
    }
    if (io.interrupt) extra.interrupt = io.interrupt;
    const progress = (o: RowOutcome, done: number): void => {
      if (!tty) return;
      // Time left: the rows left at the average wall time per finished row so far (rows differ, so it is rough).
      const elapsed = (performance.now() - start) / 1000;
      const left = done < suite.rows.length ? `, ~${Math.ceil(((suite.rows.length - done) * elapsed) / done)} s left` : '';
      const mem = `mem ${formatBytes(process.memoryUsage.rss())}${extra.maxMemoryBytes !== undefined ? ` of ${formatBytes(extra.maxMemoryBytes)}` : ''}`;
      io.err(`\r\x1b[2K[${done}/${suite.rows.length}] ${o.row.id}: ${o.status === 'not-run' ? 'not run' : o.verdict}; ${mem}${left}`);
    };
    const run = { minimize: (options.get('minimize') as boolean | undefined) ?? true };
    const redisUrl = options.get('redis') as string | undefined;
    if (redisUrl !== undefined && options.has('workers')) throw new UsageError('--workers does not apply with --redis: the rows run on the workers (start more of them)');
    let lost: string | undefined;
    const outcomes = redisUrl !== undefined
      ? await (await import('../../cluster/matrix.ts')).runSuiteOnWorkers(suite, parseRedisUrl(redisUrl), progress, extra, run, tty ? (p) => io.err(`\r\x1b[2K${batchLine('rows', p)}`) : undefined, (m) => (lost = m))
      : workers > 1
        ? await runSuiteParallel(suite, MODEL_REGISTRY, workers, progress, extra, run)
        : runSuite(suite, findModel, (o, i) => progress(o, i + 1), extra, run);
    if (tty) io.err('\r\x1b[2K');
    const wall = (performance.now() - start) / 1000;
    const cont = continueMatrix(argv, outcomes, extra);
    if (options.get('json')) io.out(JSON.stringify({ ...matrixDocument(suite, outcomes, wall), ...(lost ? { lost } : {}), ...(cont ? { continue: cont } : {}) }, null, 2));
    else {
      io.out(formatMatrix(suite, outcomes, wall, suite.propertyTag ?? ((id) => id)));
      if (lost) io.out(`LOST        ${lost}`);
      if (cont) io.out(`to go on: ${cont}`);
    }
    if (outcomes.some((o) => o.status === 'mismatch')) return EXIT.violated;
    if (outcomes.some((o) => o.status !== 'ok')) return EXIT.incomplete;
    return EXIT.holds;
  },
};

/**
 * The command that gets further after rows were cut short: from the first row
 * not finished after an interrupt; with a larger per-row --time-limit (x4) or
 * --max-memory (x2) for rows those bounds cut, restricted to the first such row.
 */
function continueMatrix(argv: readonly string[], outcomes: readonly RowOutcome[], extra: SearchOptions): string | undefined {
  const without = (args: string[], name: string): string[] => {
    const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i >= 0) args.splice(i, args[i]!.includes('=') ? 1 : 2);
    return args;
  };
  const stopped = outcomes.find((o) => o.status === 'not-run' || (o.status === 'incomplete' && o.bound === 'interrupted'));
  let args = [...argv];
  if (stopped) {
    args = without(args, 'from');
    args.push('--from', stopped.row.id);
    return ['tlbcheck', 'matrix', ...args].map(shellQuote).join(' ');
  }
  const cut = outcomes.find((o) => o.status === 'incomplete');
  if (!cut) return undefined;
  if (cut.bound === 'time-limit' && extra.timeLimitSeconds !== undefined) {
    args = without(args, 'time-limit');
    args.push('--time-limit', String(extra.timeLimitSeconds * 4));
  } else if (cut.bound === 'max-memory' && extra.maxMemoryBytes !== undefined) {
    args = without(args, 'max-memory');
    args.push('--max-memory', String(Math.round((extra.maxMemoryBytes / 2 ** 20) * 2)));
  } else return undefined;
  return ['tlbcheck', 'matrix', ...args].map(shellQuote).join(' ');
}
