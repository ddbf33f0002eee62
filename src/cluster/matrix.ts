/**
 * A suite's rows as jobs (`tlbcheck matrix --redis URL`): each row runs on a
 * worker exactly as the local runner runs it (runRow, with the row's
 * minimization), and the outcomes come back in row order. After an
 * interrupt the rows in flight report what they covered (incomplete) and the
 * rows not started are `not-run`, as locally.
 */
import type { SearchOptions } from '../engine/result.ts';
import { notRun, type RowRunOptions } from '../suite/run.ts';
import type { RowOutcome, Suite } from '../suite/suite.ts';
import { JobClient, type BatchProgress } from './client.ts';
import { shippable, type RowJob } from './jobs.ts';
import { PROTOCOL, RedisLost, type RedisTarget } from './redis.ts';

export async function runSuiteOnWorkers(
  suite: Suite,
  target: RedisTarget,
  onRow?: (o: RowOutcome, done: number) => void,
  extra: SearchOptions = {},
  run: RowRunOptions = {},
  onProgress?: (p: BatchProgress) => void,
  /** Redis was lost mid-run: the rows done are kept, the others are not-run, and this says why. */
  onLost?: (message: string) => void,
): Promise<RowOutcome[]> {
  const client = await JobClient.open(target);
  try {
    const batch = client.newBatch();
    const options = shippable({ ...suite.options, ...extra });
    const jobs: RowJob[] = suite.rows.map((row) => ({ kind: 'row', protocol: PROTOCOL, batch, row, options, run }));
    let done = 0;
    let results: ReadonlyMap<number, RowOutcome>;
    try {
      ({ results } = await client.run<RowOutcome>(batch, jobs, {
        onResult: (_i, o) => onRow?.(o, ++done),
        ...(extra.interrupt ? { interrupt: extra.interrupt } : {}),
        ...(onProgress ? { onProgress } : {}),
      }));
    } catch (e) {
      if (!(e instanceof RedisLost) || !e.partial || !onLost) throw e;
      onLost(e.message);
      results = e.partial as ReadonlyMap<number, RowOutcome>;
    }
    return suite.rows.map((row, i) => results.get(i) ?? notRun(row));
  } finally {
    await client.close();
  }
}
