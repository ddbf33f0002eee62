/** Running a suite row by row (sequentially here; the parallel runner hands the same rows to workers). */
import { budgetOf, budgetStop } from '../engine/budget.ts';
import { check } from '../engine/check.ts';
import { interruptRequested } from '../engine/interrupt.ts';
import type { ModelFactory, ParamValues } from '../engine/model.ts';
import { reproduceCommand } from '../counterexample/generate.ts';
import { minimize } from '../counterexample/shrink.ts';
import type { SearchOptions, Violation } from '../engine/result.ts';
import { compare, type RowOutcome, type Suite, type SuiteRow } from './suite.ts';

/** Row options beyond the search's: minimize violating rows (shortest trace in the smallest configuration). */
export interface RowRunOptions {
  readonly minimize?: boolean;
}

export function rowParams(factory: ModelFactory, row: SuiteRow): ParamValues {
  return { ...Object.fromEntries(factory.params.map((p) => [p.name, p.default])), ...row.params };
}

export function runRow(factory: ModelFactory, row: SuiteRow, options: SearchOptions, run: RowRunOptions = {}): RowOutcome {
  const params = rowParams(factory, row);
  // A row is a request: one that switched off a mechanism it never consults would pin a meaningless verdict.
  const problem = factory.validate?.(params) ?? factory.validateRequest?.(params);
  if (problem) throw new Error(`suite row ${row.id}: ${problem}`);
  // A per-row time limit covers the row's minimization too: it becomes the row's deadline.
  const deadline = Math.min(options.deadline ?? Infinity, options.timeLimitSeconds !== undefined ? Date.now() + options.timeLimitSeconds * 1000 : Infinity);
  const opts: SearchOptions = { ...options, ...(Number.isFinite(deadline) ? { deadline } : {}) };
  const r = check(factory.create(params), opts);
  const violated = r.violations.map((v) => v.property);
  const first = r.violations[0];
  const reach: Record<string, number | null> = Object.fromEntries(r.witnesses.map((w) => [w.property, w.path.length] as const));
  for (const id of r.unreached) reach[id] = null;
  const observed = {
    verdict: r.verdict,
    complete: r.complete,
    bound: r.bound ?? null,
    violated,
    length: first ? first.path.length : null,
    metrics: r.metrics,
    reach,
  };
  const minimized =
    first && run.minimize && factory.shrink && r.bound !== 'interrupted'
      ? minimizedSummary(factory, params, first.property, opts, first)
      : undefined;
  return {
    row,
    ...observed,
    firstViolation: first ? first.property : null,
    states: r.stats.states,
    transitions: r.stats.transitions,
    seconds: r.stats.seconds,
    ...compare(row, observed),
    ...(minimized ? { minimized } : {}),
  };
}

function minimizedSummary(factory: ModelFactory, params: ParamValues, property: string, budget: SearchOptions, known: Violation | undefined): RowOutcome['minimized'] {
  const b = budgetOf(budget);
  if (budgetStop(b)) return undefined;
  const m = minimize(factory, params, property, b, 200, known);
  if (!m) return undefined;
  return {
    property,
    length: m.violation.path.length,
    changes: m.tried.filter((t) => t.outcome === 'violates').map((t) => t.change),
    command: reproduceCommand(factory, m.params),
    ...(m.stopped ? { stopped: m.stopped } : {}),
  };
}

/** The outcome of a row the command stopped before. */
export function notRun(row: SuiteRow): RowOutcome {
  return {
    row,
    verdict: 'incomplete',
    bound: 'interrupted',
    complete: false,
    violated: [],
    length: null,
    firstViolation: null,
    states: 0,
    transitions: 0,
    seconds: 0,
    metrics: {},
    reach: {},
    status: 'not-run',
    matches: false,
    mismatch: 'not run (interrupted)',
  };
}

export function runSuite(
  suite: Suite,
  findFactory: (id: string) => ModelFactory | undefined,
  onRow?: (o: RowOutcome, index: number) => void,
  extra: SearchOptions = {},
  run: RowRunOptions = {},
): RowOutcome[] {
  return suite.rows.map((row, i) => {
    const f = findFactory(row.model);
    if (!f) throw new Error(`suite row ${row.id}: unknown model ${row.model}`);
    const o = interruptRequested(extra.interrupt) ? notRun(row) : runRow(f, row, { ...suite.options, ...extra }, run);
    onRow?.(o, i);
    return o;
  });
}

/**
 * Runs the rows on `workers` threads, at most `workers` at a time, in row
 * order; outcomes come back in row order. After an interrupt no new row
 * starts (those rows are `not-run`) and the rows in flight stop at their next
 * tick (the flag is shared with the workers).
 */
export async function runSuiteParallel(
  suite: Suite,
  registry: string,
  workers: number,
  onRow?: (o: RowOutcome, done: number) => void,
  extra: SearchOptions = {},
  run: RowRunOptions = {},
): Promise<RowOutcome[]> {
  const { fileURLToPath } = await import('node:url');
  const workerpool = (await import('workerpool')).default;
  // Each thread starts from a bundle of suite-worker.ts and the registry (worker-boot.mjs).
  const boot = { entry: new URL('./suite-worker.ts', import.meta.url).href, registry };
  const pool = workerpool.pool(fileURLToPath(new URL('../engine/worker-boot.mjs', import.meta.url)), { workerType: 'thread', maxWorkers: workers, workerThreadOpts: { workerData: { boot } } });
  const { onProgress: _drop, ...shippable } = { ...suite.options, ...extra };
  const out: RowOutcome[] = new Array(suite.rows.length);
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (next < suite.rows.length) {
      const i = next++;
      const row = suite.rows[i]!;
      const o = interruptRequested(extra.interrupt) ? notRun(row) : ((await pool.exec('run', [{ row, options: shippable, run }])) as RowOutcome);
      out[i] = o;
      onRow?.(o, ++done);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, workers) }, lane));
    return out;
  } finally {
    await pool.terminate();
  }
}
