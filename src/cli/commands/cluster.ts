/**
 * What the commands share to run on a cluster (`--redis URL`): the options,
 * their checks, the partitioned search for `check`, shrinking on the
 * workers, and the lines that report a partitioned search. The modules that
 * load BullMQ and ioredis (about half a second) are imported only when a
 * command runs with --redis.
 */
import type { Model, ModelFactory, ParamValues } from '../../engine/model.ts';
import type { Bound, SearchOptions, Violation } from '../../engine/result.ts';
import type { PartitionedResult, PartitionedStats } from '../../cluster/partitioned.ts';
import { parseRedisUrl, type RedisTarget } from '../../cluster/options.ts';
import { reproduceCommand } from '../../counterexample/generate.ts';
import { toTraceFile, type TraceFile } from '../../counterexample/format.ts';
import { formatBytes, formatInt, plural } from '../../render/report.ts';
import { traceView, type TraceView } from '../../render/trace.ts';
import { IncompleteError, UsageError, type OptionSpec } from '../args.ts';
import type { Io } from '../command.ts';

export const REDIS_OPTION: OptionSpec = {
  name: 'redis',
  kind: 'string',
  valueName: 'URL',
  description: 'run on the workers of this Redis: redis://host[:port][/db], rediss://... or unix:///path/to/socket',
};

export const PARTITIONS_OPTION: OptionSpec = {
  name: 'partitions',
  kind: 'int',
  valueName: 'K',
  min: 1,
  max: 1024,
  description: 'partitioned breadth-first search on K workers, each owning the states whose fingerprint mod K is its number (needs --redis)',
};

export interface Cluster {
  readonly target: RedisTarget;
  readonly partitions?: number;
}

/** The cluster options of a command line, checked; undefined without --redis. */
export function clusterOf(options: Map<string, string | number | boolean>, o: SearchOptions): Cluster | undefined {
  const url = options.get('redis') as string | undefined;
  const partitions = options.get('partitions') as number | undefined;
  if (url === undefined) {
    if (partitions !== undefined) throw new UsageError('--partitions needs --redis URL (the workers take the partitions)');
    return undefined;
  }
  const target = parseRedisUrl(url);
  if (partitions !== undefined) {
    if (o.strategy === 'dfs') throw new UsageError('--partitions is a breadth-first search (drop --strategy dfs)');
    if (o.partialOrder) throw new UsageError('--partitions cannot be combined with --por (the reduction needs the whole visited set in one place)');
    if (o.fingerprintBits === 128) throw new UsageError('--partitions keeps 64-bit fingerprints (the owned sets and the messages carry 64 bits): drop --fingerprint 128');
    const w = options.get('workers') as number | undefined;
    if (w !== undefined && w !== 1) throw new UsageError('--partitions replaces --workers: the partitions run on `tlbcheck worker` processes');
  }
  return { target, ...(partitions !== undefined ? { partitions } : {}) };
}

export async function partitionedSearch(model: Model, factory: ModelFactory, params: ParamValues, o: SearchOptions, c: Cluster, io: Io): Promise<PartitionedResult> {
  const { partitionedBfs } = await import('../../cluster/partitioned.ts');
  return partitionedBfs(model, { model: factory.id, params }, {
    ...o,
    target: c.target,
    partitions: c.partitions!,
    ...(io.errIsTty ? { onStatus: (t: string) => io.err(`\r\x1b[2K${factory.id}: ${t}`) } : {}),
  });
}

/** As counterexample() with shrinking, the candidates running on the workers. */
export async function counterexampleOnWorkers(
  c: Cluster,
  factory: ModelFactory,
  params: ParamValues,
  property: string,
  budget: SearchOptions,
  known: Violation | undefined,
  status?: (text: string) => void,
): Promise<{ file: TraceFile; view: TraceView; stopped?: Bound } | undefined> {
  const [{ JobClient }, { minimizeOnWorkers }] = await Promise.all([import('../../cluster/client.ts'), import('../../cluster/shrink.ts')]);
  const client = await JobClient.open(c.target);
  try {
    const m = await minimizeOnWorkers(client, factory, params, property, budget, 200, known, status);
    if (!m) return undefined;
    const model = factory.create(m.params);
    const view = traceView(model, m.violation);
    const minimization = { from: { ...params }, tried: m.tried, final: m.final, ...(m.stopped ? { stopped: m.stopped } : {}) };
    return {
      file: toTraceFile(factory.id, m.params, view, reproduceCommand(factory, m.params), minimization, factory.branches?.(m.params)),
      view,
      ...(m.stopped ? { stopped: m.stopped } : {}),
    };
  } finally {
    await client.close();
  }
}

/**
 * Why shrinking on the workers could not run, for the note beside the unminimized violation: Redis could not be
 * reached, or was lost during it (the violation found stands). Any other error is thrown on.
 */
export function shrinkingUnreachable(e: unknown): string {
  if (e instanceof UsageError || e instanceof IncompleteError) return e.message;
  throw e;
}

/** The text report's lines about a partitioned search. */
export function partitionedLines(p: PartitionedStats): string[] {
  const total = p.expandSeconds + p.absorbSeconds + p.messageSeconds + p.barrierSeconds;
  const pct = (x: number): string => `${total > 0 ? Math.round((100 * x) / total) : 0}%`;
  const per = p.perPartition.map((s) => (s.stored > 0 ? s.storeBytes / s.stored : 0));
  const lines = [
    `partitions  ${p.partitions} on ${plural(new Set(p.workers.filter(Boolean)).size, 'worker')}, ${p.levels} levels; sent per state: ${p.messagesPerState.toFixed(4)} messages, ${p.bytesSentPerState.toFixed(1)} bytes (${p.sentStatesPerState.toFixed(2)} successors; ${p.cacheHitsPerState.toFixed(2)} saved by the sent-cache)`,
    `            time over the partitions: expanding ${pct(p.expandSeconds)}, absorbing received states ${pct(p.absorbSeconds)}, messaging ${pct(p.messageSeconds)}, barriers ${pct(p.barrierSeconds)}; ${per.length > 0 ? `${(per.reduce((a, b) => a + b, 0) / per.length).toFixed(1)} bytes/state per partition, peak RSS per worker ${formatBytes(Math.max(...p.perPartition.map((s) => s.peakRssBytes)))}` : 'no partition reported'}`,
  ];
  if (p.waitSeconds >= 0.5) lines.push(`            waited ${p.waitSeconds.toFixed(1)} s for the workers to take the partitions`);
  if (p.lost) lines.push(`LOST        ${p.lost}; the search cannot go on without ${p.redisLost ? 'them' : "that partition's states"} (${formatInt(0 + p.perPartition.reduce((a, s) => a + s.stored, 0))} states were stored when it stopped)`);
  return lines;
}
