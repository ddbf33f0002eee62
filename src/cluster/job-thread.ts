/**
 * A worker's job thread: runs one job at a time off the worker's main
 * (command) thread, so that BullMQ's lock renewals and the heartbeats keep
 * running while a search takes all of this thread. The job's own interrupt
 * flag (shared memory) stops it: the worker sets it when it is itself
 * stopped, or when the job's batch is cancelled.
 */
import workerpool from 'workerpool';
import type { ModelFactory } from '../engine/model.ts';
import { simulate } from '../engine/simulate.ts';
import { FingerprintSet } from '../engine/visited.ts';
import { violationOf } from '../counterexample/shrink.ts';
import { runRow } from '../suite/run.ts';
import type { JobData, JobResult } from './jobs.ts';
import { runPartition } from './partition.ts';
import type { RedisTarget } from './redis.ts';

export interface JobTask {
  readonly data: JobData;
  readonly jobId: string;
  /** The job's stop flag. */
  readonly flag: Int32Array;
  readonly target: RedisTarget;
  readonly worker: string;
}

type FindModel = (id: string) => ModelFactory | undefined;

async function run(task: JobTask, findModel: FindModel): Promise<JobResult> {
  const factoryOf = (id: string): ModelFactory => {
    const f = findModel(id);
    if (!f) throw new Error(`this worker has no model ${id} (a different tlbcheck version?)`);
    return f;
  };
  const d = task.data;
  const interrupt = task.flag;
  switch (d.kind) {
    case 'row': {
      const f = factoryOf(d.row.model);
      return { kind: 'row', outcome: runRow(f, d.row, { ...d.options, interrupt }, d.run) };
    }
    case 'sim': {
      const f = factoryOf(d.model);
      const seen = new FingerprintSet();
      const result = simulate(f.create(d.params), {
        seed: d.seed,
        runs: d.runs,
        firstRun: d.firstRun,
        depth: d.depth,
        swarm: d.swarm,
        checkDeadlock: d.checkDeadlock,
        skip: d.skip,
        interrupt,
        visited: seen,
        ...(d.deadline !== undefined ? { deadline: d.deadline } : {}),
        ...(d.maxMemoryBytes !== undefined ? { maxMemoryBytes: d.maxMemoryBytes } : {}),
      });
      const fps = seen.pairs();
      return { kind: 'sim', outcome: { result, fingerprints: Buffer.from(fps.buffer, fps.byteOffset, fps.byteLength).toString('base64') } };
    }
    case 'shrink': {
      const f = factoryOf(d.model);
      const r = violationOf(f, d.params, d.property, { ...d.options, interrupt });
      return { kind: 'shrink', outcome: { verdict: r.result.verdict, bound: r.result.bound ?? null, result: r.result, ...(r.violation ? { violation: r.violation } : {}) } };
    }
    case 'partition': {
      const f = factoryOf(d.model);
      return { kind: 'partition', outcome: await runPartition(f, d, task.target, interrupt, task.jobId, task.worker) };
    }
  }
}

/** Serves jobs; started by src/engine/worker-boot.mjs with the worker's registry (from a bundle, or through tsx). */
export function serve(findModel: FindModel): void {
  // `warm` answers once the thread is up: the registry is loaded before serve runs.
  workerpool.worker({ run: (task: JobTask) => run(task, findModel), warm: () => true });
}
