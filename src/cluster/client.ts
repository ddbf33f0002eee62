/**
 * The client side of the job commands (matrix, simulate, shrinking): adds a
 * batch of jobs to the BullMQ queue, a window at a time, and collects their
 * results in job order. A result is taken once per job (by its index), so a
 * job that BullMQ handed out again after its worker died, or that two
 * workers both finished, counts once. When the client no longer needs some
 * jobs (a lower-numbered one already decided the answer), or is
 * interrupted, it cancels the batch: workers stop its running jobs, and its
 * waiting jobs are removed.
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { interruptRequested } from '../engine/interrupt.ts';
import { formatInt } from '../render/report.ts';
import type { JobData, JobResult } from './jobs.ts';
import type { BatchProgress } from './options.ts';
import { connect, disconnectAll, keys, newId, PREFIX, QUEUE, RedisLost, bullConnection, watchConnection, workerCount, type RedisTarget } from './redis.ts';

export { batchLine, type BatchProgress } from './options.ts';

export interface RunBatchOptions<R> {
  /** Called for each job's result, once, as it arrives (any order). */
  readonly onResult?: (index: number, result: R) => void;
  /**
   * Whether job `index` is still needed (checked after every result); jobs no
   * longer needed are cancelled. Must be monotone: once a job is not needed,
   * no later one is.
   */
  readonly needed?: (index: number) => boolean;
  readonly onProgress?: (p: BatchProgress) => void;
  readonly progressIntervalMs?: number;
  /** Stop waiting when set (the command's interrupt flag): running jobs get `graceMs` to report. */
  readonly interrupt?: Int32Array;
  /** Stop waiting at this time (Date.now() ms), after `graceMs` more for the jobs that stop at it by themselves. */
  readonly deadline?: number;
  readonly graceMs?: number;
  /** Jobs in the queue at once (waiting or running). */
  readonly window?: number;
  readonly attempts?: number;
}

export interface BatchOutcome<R> {
  readonly results: Map<number, R>;
  /** Why the batch ended before every needed job reported, if it did. */
  readonly stopped?: 'interrupted' | 'time-limit';
}

export class JobClient {
  private constructor(
    readonly target: RedisTarget,
    readonly queue: Queue,
    readonly redis: Redis,
  ) {}

  static async open(target: RedisTarget): Promise<JobClient> {
    const redis = await connect(target, 'tlbcheck-client');
    const queue = new Queue(QUEUE, { connection: bullConnection(target), prefix: PREFIX });
    queue.on('error', () => {});
    return new JobClient(target, queue, redis);
  }

  async close(): Promise<void> {
    if (this.redis.status !== 'ready') return this.abandon();
    await this.queue.close().catch(() => {});
    disconnectAll(this.redis);
  }

  /** Drops the connections without a word to Redis (it is gone: a clean close would wait for it). */
  abandon(): void {
    void this.queue.disconnect().catch(() => {});
    disconnectAll(this.redis);
  }

  workers(): Promise<number> {
    return workerCount(this.redis);
  }

  /** A fresh batch id (jobs of one batch share it and are cancelled together). */
  newBatch(): string {
    return newId();
  }

  async cancel(batch: string): Promise<void> {
    await this.redis.set(keys.cancel(batch), '1', 'EX', 3600);
  }

  /**
   * Runs `jobs` (all of batch `batch`) and returns the results by index.
   * A job that failed for good (its worker threw on every attempt) is an
   * error: the command reports it as an internal error.
   */
  async run<R>(batch: string, jobs: readonly JobData[] | { readonly count: number; readonly make: (index: number) => JobData }, o: RunBatchOptions<R> = {}): Promise<BatchOutcome<R>> {
    const count = 'count' in jobs ? jobs.count : jobs.length;
    const make = 'count' in jobs ? jobs.make : (i: number): JobData => (jobs as readonly JobData[])[i]!;
    const start = performance.now();
    // Every wait on Redis goes through `guard`: a Redis gone for 10 s ends the batch (RedisLost, exit 3) instead of hanging it.
    const watch = watchConnection(this.redis, this.target.url);
    const guard = watch.guard;
    const results = new Map<number, R>();
    const window = o.window ?? 256;
    const grace = o.graceMs ?? 3000;
    const needed = o.needed ?? (() => true);
    const id = (i: number): string => `${batch}-${i}`;
    const outstanding = new Set<number>();
    const states = new Map<number, string>();
    let next = 0;
    let stopped: BatchOutcome<R>['stopped'];
    let stopAt = Infinity;
    let lastProgress = 0;
    const opts = (i: number): JobsOptions => ({
      jobId: id(i),
      attempts: o.attempts ?? 3,
      backoff: { type: 'fixed', delay: 500 },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 24 * 3600 },
    });
    const submit = async (): Promise<void> => {
      const add: { name: string; data: JobData; opts: JobsOptions }[] = [];
      while (next < count && outstanding.size + add.length < window && needed(next)) {
        const data = make(next);
        add.push({ name: data.kind, data, opts: opts(next) });
        outstanding.add(next);
        next++;
      }
      if (add.length > 0) await guard(this.queue.addBulk(add));
    };
    const allDone = (): boolean => {
      for (const i of outstanding) if (needed(i)) return false;
      return next >= count || !needed(next);
    };
    try {
      await submit();
      while (!allDone()) {
        const now = Date.now();
        if (stopped === undefined) {
          if (interruptRequested(o.interrupt)) stopped = 'interrupted';
          else if (o.deadline !== undefined && now >= o.deadline) stopped = 'time-limit';
          if (stopped !== undefined) {
            stopAt = now + grace;
            await guard(this.cancel(batch));
            next = count; // submit nothing more
          }
        }
        if (now >= stopAt) break;
        await sleep(Math.min(250, 40 + outstanding.size * 2));
        // Poll the outstanding jobs' states (every result is read from the job itself, so nothing is missed).
        const ids = [...outstanding];
        const got = await guard(Promise.all(ids.map((i) => this.queue.getJobState(id(i)))));
        for (let k = 0; k < ids.length; k++) {
          const i = ids[k]!;
          const st = got[k]!;
          states.set(i, st);
          if (st !== 'completed' && st !== 'failed') continue;
          const job = await guard(this.queue.getJob(id(i)));
          outstanding.delete(i);
          if (!job) continue;
          if (st === 'failed') {
            if (stopped !== undefined || !needed(i)) continue;
            throw new Error(`job ${i} of batch ${batch} (${job.data.kind}) failed on its worker: ${job.failedReason}`);
          }
          const r = job.returnvalue as JobResult;
          if (r.kind === 'cancelled' || results.has(i)) continue;
          const value = (r as { outcome: unknown }).outcome as R;
          results.set(i, value);
          o.onResult?.(i, value);
        }
        // Jobs no longer needed: drop them from the wait (a running one stops when the batch is cancelled at the end).
        for (const i of [...outstanding]) {
          if (needed(i)) continue;
          outstanding.delete(i);
          await guard(this.queue.remove(id(i))).catch((e: unknown) => {
            if (e instanceof RedisLost) throw e;
          });
        }
        if (stopped === undefined) await submit();
        if (o.onProgress && performance.now() - lastProgress >= (o.progressIntervalMs ?? 1000)) {
          lastProgress = performance.now();
          let running = 0;
          for (const i of outstanding) if (states.get(i) === 'active') running++;
          o.onProgress({
            total: count,
            done: results.size,
            running,
            queued: outstanding.size - running + Math.max(0, count - next),
            workers: await guard(this.workers()),
            seconds: (performance.now() - start) / 1000,
          });
        }
      }
    } catch (e) {
      if (e instanceof RedisLost) throw new RedisLost(`${e.message}: ${formatInt(results.size)} of ${formatInt(count)} jobs done, the others given up`, results);
      throw e;
    } finally {
      // Whatever is left of the batch stops: running jobs at their next tick, waiting ones are removed (not without Redis).
      if (!watch.isLost()) {
        await guard(this.cancel(batch)).catch(() => {});
        for (const i of outstanding) await guard(this.queue.remove(id(i))).catch(() => 0);
      }
      watch.stop();
    }
    return { results, ...(stopped ? { stopped } : {}) };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
