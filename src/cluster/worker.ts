/**
 * `tlbcheck worker`: takes jobs from the BullMQ queue until stopped. Each
 * job runs on a job thread (job-thread.ts); this thread keeps BullMQ's job
 * locks renewed, beats the worker's heartbeat and each job's liveness key,
 * and watches for cancelled batches and for the command's interrupt flag
 * (SIGINT/SIGTERM, set by the launcher). On a stop it stops its jobs at
 * their next tick and hands every row, simulation and shrinking job back to
 * the queue, so another worker runs it; a partition of a search cannot be
 * handed over (its part of the visited set is lost), so it tells the
 * search, which ends incomplete. A worker killed outright (SIGKILL, a lost
 * machine) loses nothing either: its jobs' locks expire and BullMQ's
 * stalled-job check hands them to another worker.
 */
import { fileURLToPath } from 'node:url';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import workerpool from 'workerpool';
import { interruptRequested } from '../engine/interrupt.ts';
import { plural } from '../render/report.ts';
import type { JobTask } from './job-thread.ts';
import { newJobFlag, STOP_CANCEL, STOP_WORKER, stopJob, type JobData, type JobResult } from './jobs.ts';
import { connect, disconnectAll, heartbeat, keys, leave, PREFIX, PROTOCOL, QUEUE, bullConnection, watchConnection, workerName, type RedisTarget } from './redis.ts';

const WORKER_BOOT = fileURLToPath(new URL('../engine/worker-boot.mjs', import.meta.url));

export interface WorkerOptions {
  readonly target: RedisTarget;
  readonly registry: string;
  /** Jobs run at once (one thread each). */
  readonly concurrency: number;
  readonly interrupt?: Int32Array;
  /** One line per event (job started, finished, handed back), for the worker's stderr. */
  readonly log: (line: string) => void;
  /** BullMQ lock duration (ms): a job whose worker stopped renewing it is handed out again after about this long. */
  readonly lockMs?: number;
}

export interface WorkerSummary {
  readonly jobs: number;
  readonly handedBack: number;
  /** Set when the stop could not reach Redis to close cleanly (the jobs' locks expire there instead). */
  readonly unreachable?: string;
}

/** How long a stop waits for a Redis that does not answer (no connection, or no reply) before it gives its jobs up. */
const STOP_GRACE_OFFLINE_MS = 2_000;

interface Active {
  readonly flag: Int32Array;
  readonly data: JobData;
}

export async function runWorker(o: WorkerOptions): Promise<WorkerSummary> {
  const name = workerName();
  const redis = await connect(o.target, `tlbcheck-worker-${name}`);
  // Each job thread starts from a bundle of job-thread.ts and the registry (worker-boot.mjs; tsx the fallback).
  const boot = { entry: new URL('./job-thread.ts', import.meta.url).href, registry: o.registry };
  const pool = workerpool.pool(WORKER_BOOT, { workerType: 'thread', maxWorkers: o.concurrency, minWorkers: o.concurrency, workerThreadOpts: { workerData: { boot } } });
  const active = new Map<string, Active>();
  let stopping = false;
  let jobs = 0;
  let handedBack = 0;

  const beat = async (): Promise<void> => {
    await heartbeat(redis, name);
    const ids = [...active.keys()];
    if (ids.length === 0) return;
    const p = redis.pipeline();
    for (const id of ids) p.set(keys.alive(id), name, 'PX', 5000);
    for (const [, a] of active) p.exists(keys.cancel(a.data.batch));
    const r = (await p.exec()) ?? [];
    ids.forEach((id, k) => {
      const cancelled = r[ids.length + k]?.[1] === 1;
      if (cancelled) stopJob(active.get(id)!.flag, STOP_CANCEL);
    });
  };

  const processJob = async (job: Job<JobData, JobResult>, token?: string): Promise<JobResult> => {
    const data = job.data;
    if (data.protocol !== PROTOCOL) throw new UnrecoverableError(`this worker speaks job protocol ${PROTOCOL}, the job ${data.protocol}: run the same tlbcheck version everywhere`);
    if ((await redis.exists(keys.cancel(data.batch))) === 1) return { kind: 'cancelled' };
    const id = job.id!;
    const flag = newJobFlag();
    if (stopping) stopJob(flag, STOP_WORKER);
    active.set(id, { flag, data });
    jobs++;
    await redis.set(keys.alive(id), name, 'PX', 5000);
    const what = describe(data);
    o.log(`started ${what}${job.attemptsStarted > 1 ? ` (attempt ${job.attemptsStarted})` : ''}`);
    const t0 = performance.now();
    try {
      const task: JobTask = { data, jobId: id, flag, target: o.target, worker: name };
      const r = (await pool.exec('run', [task])) as JobResult;
      if (stopping && data.kind !== 'partition' && token !== undefined) {
        // Stopped by this worker's own stop, not by the client: another worker runs it from the start.
        await job.moveToWait(token);
        handedBack++;
        o.log(`handed back ${what}`);
        throw new WaitingError();
      }
      o.log(`finished ${what} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return r;
    } finally {
      active.delete(id);
      await redis.del(keys.alive(id)).catch(() => 0);
    }
  };

  const worker = new Worker<JobData, JobResult>(QUEUE, processJob, {
    connection: bullConnection(o.target),
    prefix: PREFIX,
    concurrency: o.concurrency,
    // Locks are renewed from this thread, which the searches never block: a short lock hands a dead worker's job out quickly.
    lockDuration: o.lockMs ?? 6000,
    stalledInterval: Math.max(1000, Math.floor((o.lockMs ?? 6000) / 2)),
    maxStalledCount: 10,
    autorun: false,
  });
  // One line per distinct error until Redis is back: ioredis retries a lost server every 2 s, and each retry fails the same way.
  let lastError = '';
  worker.on('error', (e) => {
    if (e.message === lastError && redis.status !== 'ready') return;
    lastError = e.message;
    o.log(`queue error: ${e.message}${redis.status === 'ready' ? '' : ' (retrying until Redis is back)'}`);
  });
  redis.on('ready', () => {
    if (lastError !== '') o.log(`Redis at ${o.target.url} is back`);
    lastError = '';
  });
  worker.on('failed', (job, e) => {
    if (job && !(e instanceof WaitingError) && e.name !== 'WaitingError') o.log(`failed ${describe(job.data)}: ${e.message}`);
  });

  await Promise.all(Array.from({ length: o.concurrency }, () => pool.exec('warm', [])));
  await beat();
  const beating = setInterval(() => void beat().catch(() => {}), 1000);
  const running = worker.run();
  o.log(`worker ${name}: taking jobs from ${o.target.url} (${o.concurrency} at a time); Ctrl-C or SIGTERM stops it`);
  await new Promise<void>((resolve) => {
    const watch = setInterval(() => {
      if (!interruptRequested(o.interrupt)) return;
      clearInterval(watch);
      resolve();
    }, 50);
  });
  stopping = true;
  for (const a of active.values()) stopJob(a.flag, STOP_WORKER);
  o.log(`stopping: ${plural(active.size, 'job')} in flight`);
  // Handing jobs back and closing the queue need Redis: with Redis gone they would wait for it forever. The stop
  // waits as long as Redis answers; once it has not for 2 s, it gives the jobs up (their locks expire in Redis,
  // which hands them out again).
  const graceful = (async () => {
    await worker.close();
    await running.catch(() => {});
    clearInterval(beating); // before leaving the registry, so that no beat puts this worker back
    await leave(redis, name).catch(() => {});
  })();
  const watch = watchConnection(redis, o.target.url, STOP_GRACE_OFFLINE_MS);
  const lost = await watch.guard(graceful).then(
    () => undefined,
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );
  watch.stop();
  clearInterval(beating);
  if (lost !== undefined) {
    void worker.disconnect().catch(() => {});
    await pool.terminate(true);
    disconnectAll(redis);
    return { jobs, handedBack, unreachable: `could not close cleanly: ${lost}; jobs in flight are handed out again once their locks expire` };
  }
  await pool.terminate();
  disconnectAll(redis);
  return { jobs, handedBack };
}

function describe(d: JobData): string {
  switch (d.kind) {
    case 'row':
      return `row ${d.row.id}`;
    case 'sim':
      return `simulation runs ${d.firstRun}..${d.firstRun + d.runs - 1} of ${d.model}`;
    case 'shrink':
      return `shrinking candidate of ${d.model}`;
    case 'partition':
      return `partition ${d.partition} of ${d.partitions} of search ${d.batch} (${d.model})`;
  }
}
