/** Running a suite row by row (sequentially here; the parallel runner hands the same rows to workers). */
import { check } from '../engine/check.ts';
import type { ModelFactory } from '../engine/model.ts';
import type { SearchOptions } from '../engine/result.ts';
import { compare, type RowOutcome, type Suite, type SuiteRow } from './suite.ts';

export function runRow(factory: ModelFactory, row: SuiteRow, options: SearchOptions): RowOutcome {
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
  };
}

export function runSuite(
  suite: Suite,
  findFactory: (id: string) => ModelFactory | undefined,
  onRow?: (o: RowOutcome, index: number) => void,
  extra: SearchOptions = {},
): RowOutcome[] {
  return suite.rows.map((row, i) => {
    const f = findFactory(row.model);
    if (!f) throw new Error(`suite row ${row.id}: unknown model ${row.model}`);
    const o = runRow(f, row, { ...suite.options, ...extra });
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
): Promise<RowOutcome[]> {
  const { fileURLToPath } = await import('node:url');
  const workerpool = (await import('workerpool')).default;
  const pool = workerpool.pool(fileURLToPath(new URL('./suite-worker.mjs', import.meta.url)), { workerType: 'thread', maxWorkers: workers });
  let done = 0;
  try {
    // Longest rows first would balance better, but sizes are unknown up front; the pool keeps every worker busy.
    return await Promise.all(
      suite.rows.map(async (row) => {
        const o = (await pool.exec('run', [{ registry, row, options: { ...suite.options, ...extra } }])) as RowOutcome;
        onRow?.(o, ++done);
        return o;
      }),
    );
  } finally {
    await pool.terminate();
  }
}
