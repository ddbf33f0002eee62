/** Running a suite row by row (sequentially here; the parallel runner hands the same rows to workers). */
import { check } from '../engine/check.ts';
import type { ModelFactory, ParamValues } from '../engine/model.ts';
import { reproduceCommand } from '../counterexample/generate.ts';
import { minimize } from '../counterexample/shrink.ts';
import type { SearchOptions } from '../engine/result.ts';
import { compare, type RowOutcome, type Suite, type SuiteRow } from './suite.ts';

/** Row options beyond the search's: minimize violating rows (shortest trace in the smallest configuration). */
export interface RowRunOptions {
  readonly minimize?: boolean;
}

export function runRow(factory: ModelFactory, row: SuiteRow, options: SearchOptions, run: RowRunOptions = {}): RowOutcome {
  const params = { ...Object.fromEntries(factory.params.map((p) => [p.name, p.default])), ...row.params };
  const problem = factory.validate?.(params);
  if (problem) throw new Error(`suite row ${row.id}: ${problem}`);
  const r = check(factory.create(params), options);
  const violated = r.violations.map((v) => v.property);
  const first = r.violations[0];
  return {
    row,
    verdict: r.verdict,
    violated,
    length: first ? first.path.length : null,
    firstViolation: first ? first.property : null,
    states: r.stats.states,
    transitions: r.stats.transitions,
    seconds: r.stats.seconds,
    metrics: r.metrics,
    ...compare(row, r.verdict, violated),
    ...(first && run.minimize && factory.shrink ? { minimized: minimizedSummary(factory, params, first.property) } : {}),
  };
}

function minimizedSummary(factory: ModelFactory, params: ParamValues, property: string): RowOutcome['minimized'] {
  const m = minimize(factory, params, property);
  if (!m) return undefined;
  return {
    property,
    length: m.violation.path.length,
    changes: m.tried.filter((t) => t.outcome === 'violates').map((t) => t.change),
    command: reproduceCommand(factory, m.params),
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
    const o = runRow(f, row, { ...suite.options, ...extra }, run);
    onRow?.(o, i);
    return o;
  });
}

/** Runs the rows on `workers` threads; outcomes come back in row order. */
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
  const pool = workerpool.pool(fileURLToPath(new URL('./suite-worker.mjs', import.meta.url)), { workerType: 'thread', maxWorkers: workers });
  let done = 0;
  try {
    // Longest rows first would balance better, but sizes are unknown up front; the pool keeps every worker busy.
    return await Promise.all(
      suite.rows.map(async (row) => {
        const o = (await pool.exec('run', [{ registry, row, options: { ...suite.options, ...extra }, run }])) as RowOutcome;
        onRow?.(o, ++done);
        return o;
      }),
    );
  } finally {
    await pool.terminate();
  }
}
