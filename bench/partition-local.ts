/**
 * One partition of the partitioned search (K = 1), run in this process with
 * a stand-in for Redis: the partition's expansion, its owned set and its
 * queue, without messaging. Set against the engine's sequential check on the
 * same configuration, it separates what a partition costs from what the
 * traffic costs (README, *Beyond one machine*, *Measured*); run it under
 * `--cpu-prof` to profile a partition.
 *
 *   node --import tsx bench/one.ts <model-id> '<params json>' '{"partition": "local", ...}'
 */
import type { ModelFactory, ParamValues } from '../src/engine/model.ts';
import { modelShape, Participant } from '../src/cluster/partition.ts';
import type { PartitionJob } from '../src/cluster/jobs.ts';
import { PROTOCOL } from '../src/cluster/redis.ts';
import type { TlbcheckRun } from './types.ts';

export interface LocalPartitionOptions {
  readonly symmetry?: boolean;
  readonly all?: boolean;
  readonly checkDeadlock?: boolean;
}

/** What the partition calls on its connections when K = 1: progress and reports (pipelines of them), answered at once. */
const pipeline = { hset: () => pipeline, rpush: () => pipeline, pexpire: () => pipeline, exec: async (): Promise<[null, number][]> => [[null, 0]] };
const standIn = { hset: async () => 0, rpush: async () => 0, pipeline: () => pipeline };

export async function partitionLocal(factory: ModelFactory, params: ParamValues, o: LocalPartitionOptions): Promise<TlbcheckRun> {
  const model = factory.create(params);
  const t0 = performance.now();
  const job: PartitionJob = {
    kind: 'partition',
    protocol: PROTOCOL,
    batch: 'local',
    model: factory.id,
    params,
    partition: 0,
    partitions: 1,
    options: { symmetry: o.symmetry ?? true, all: o.all ?? false, checkDeadlock: o.checkDeadlock ?? true, skip: [], batchStates: 4096, sentCacheLog2: 0 },
    shape: modelShape(model),
  };
  // Only hset, rpush and their pipelines are reached with one partition (no batches, no barrier); the cast stands for the rest of the client.
  const redis = standIn as unknown as ConstructorParameters<typeof Participant>[2];
  const p = new Participant(model, job, redis, redis, new Int32Array(2));
  let summary = p.init();
  const broken = new Set(summary.violations.map((v) => v.property));
  let transitions = 0;
  let depth = 0;
  for (let level = 0; summary.added > 0 && (job.options.all || broken.size === 0); level++) {
    summary = await p.level(level, false, -1);
    transitions += summary.transitions;
    if (summary.added > 0) depth = level + 1;
    for (const v of summary.violations) broken.add(v.property);
  }
  const seconds = (performance.now() - t0) / 1000;
  const states = p.stats.stored;
  return {
    verdict: broken.size > 0 ? `violated(${[...broken].join(',')})` : 'holds',
    complete: broken.size === 0 || job.options.all,
    states,
    transitions,
    depth,
    seconds,
    statesPerSecond: states / seconds,
    bytesPerState: p.stats.storeBytes / Math.max(1, states),
    peakRssBytes: process.memoryUsage.rss(),
  };
}
