/**
 * The client of a partitioned exhaustive search (`check ... --redis URL
 * --partitions K`): K BullMQ jobs, one per partition, taken by K `tlbcheck
 * worker` processes anywhere; each partition owns the states whose
 * fingerprint is its number mod K (partition.ts). The client only
 * coordinates, through Redis:
 *
 * - a barrier per level: it tells every partition to expand level d
 *   (`cmd` lists), and waits for the K summaries (`ctl` list); the search
 *   ends when a level found no new state anywhere, at a violation (without
 *   --all, after finishing its level, as the parallel search does), or at a
 *   bound;
 * - the counterexamples: each violation comes as a fingerprint, and its path
 *   is rebuilt by walking the parent links back through the owners, then
 *   replayed on the model (and its end checked against that fingerprint);
 * - liveness: a partition whose worker stops responding (its job's
 *   liveness key expires), fails, or is stopped ends the search `incomplete`
 *   (`worker-lost`): that worker's part of the visited set is gone, so
 *   nothing is proved.
 *
 * Levels are barriers, so state counts, verdicts and shortest lengths equal
 * the sequential search's. Redis never holds the visited set: only the
 * messages of the level in flight and the coordination keys.
 */
import { Redis } from 'ioredis';
import { SearchContext } from '../engine/context.ts';
import type { Model, ParamValues } from '../engine/model.ts';
import { lastState, replay } from '../engine/replay.ts';
import type { Bound, SearchOptions, SearchResult, Violation, Witness } from '../engine/result.ts';
import { JobClient, sleep } from './client.ts';
import type { PartitionJob } from './jobs.ts';
import { modelShape, type FoundRef, type LevelSummary, type PartitionStats, type Report, type WalkAnswer, type WitnessRef } from './partition.ts';
import { ownerOf } from './owned-set.ts';
import { UsageError } from '../cli/args.ts';
import { connect, keys, newId, PROTOCOL, RedisLost, watchConnection, type RedisTarget } from './redis.ts';

export interface PartitionedOptions extends SearchOptions {
  readonly target: RedisTarget;
  readonly partitions: number;
  /** States per batch message (default 4096). */
  readonly batchStates?: number;
  /** log2 of the entries of the per-partition cache of fingerprints already sent (default 22: 32 MiB; 0 turns it off). */
  readonly sentCacheLog2?: number;
  /** Status lines while waiting for workers. */
  readonly onStatus?: (text: string) => void;
}

/** What the partitioned search reports beyond the engine's statistics. */
export interface PartitionedStats {
  readonly partitions: number;
  /** Worker of each partition (host:pid). */
  readonly workers: readonly string[];
  readonly levels: number;
  /** Seconds until every partition had a worker (not included in the search time). */
  readonly waitSeconds: number;
  /** Per partition, cumulative. */
  readonly perPartition: readonly PartitionStats[];
  /** Messages and bytes sent between partitions, per distinct state. */
  readonly messagesPerState: number;
  readonly bytesSentPerState: number;
  /** Successors sent to their owner per state, and those the sent-cache saved. */
  readonly sentStatesPerState: number;
  readonly cacheHitsPerState: number;
  /** Seconds summed over the partitions: expanding, absorbing received states, messaging, waiting at barriers. */
  readonly expandSeconds: number;
  readonly absorbSeconds: number;
  readonly messageSeconds: number;
  readonly barrierSeconds: number;
  /** messageSeconds over the partitions' total time. */
  readonly messageShare: number;
  /** Set when the search lost a worker, or its Redis: which and how. */
  readonly lost?: string;
  /** Set when what was lost is Redis itself. */
  readonly redisLost?: boolean;
}

export type PartitionedResult = SearchResult & { readonly partitioned: PartitionedStats };

/** A (property, fingerprint) found by a partition, with the level it was found in. */
interface Found {
  readonly ref: FoundRef | WitnessRef;
  readonly level: number;
}

class Lost extends Error {}

export async function partitionedBfs(model: Model, job: { readonly model: string; readonly params: ParamValues }, o: PartitionedOptions): Promise<PartitionedResult> {
  const K = o.partitions;
  const id = newId();
  const ks = keys.search(id);
  const client = await JobClient.open(o.target);
  const ctl = await connect(o.target, 'tlbcheck-search-ctl');
  const redis = client.redis;
  // Every wait on Redis below goes through `guard`: a Redis gone for 10 s ends the search incomplete instead of hanging it.
  const watch = watchConnection(redis, o.target.url);
  const guard = watch.guard;
  const shape = modelShape(model);
  const dl = model.deadlock?.id ?? 'deadlock';
  const waitStart = performance.now();
  let refresh: ReturnType<typeof setInterval> | undefined;
  const jobIds: string[] = Array.from({ length: K }, (_, p) => `${id}-p${p}`);
  const workers: string[] = new Array<string>(K).fill('');
  const aliveIds: (string | undefined)[] = new Array<string | undefined>(K);
  const inbox: Report[] = [];
  let lost: string | undefined;
  let lastLiveness = 0;

  const command = async (p: number, c: object): Promise<void> => {
    await guard(redis.rpush(ks.cmd(p), JSON.stringify(c)));
  };
  const broadcast = async (c: object): Promise<void> => {
    const pl = redis.pipeline();
    for (let p = 0; p < K; p++) pl.rpush(ks.cmd(p), JSON.stringify(c));
    await guard(pl.exec());
  };
  /** Throws Lost when a joined partition's worker is gone or its job ended. */
  const liveness = async (): Promise<void> => {
    const now = performance.now();
    if (now - lastLiveness < 1000) return;
    lastLiveness = now;
    const joined = aliveIds.map((a, p) => [a, p] as const).filter(([a]) => a !== undefined);
    if (joined.length === 0) return;
    const pl = redis.pipeline();
    for (const [a] of joined) pl.exists(keys.alive(a!));
    const r = (await guard(pl.exec())) ?? [];
    for (let k = 0; k < joined.length; k++) {
      if (r[k]?.[1] === 1) continue;
      const p = joined[k]![1];
      const st = await guard(client.queue.getJobState(jobIds[p]!));
      const j = st === 'failed' ? await guard(client.queue.getJob(jobIds[p]!)) : undefined;
      throw new Lost(
        st === 'failed'
          ? `partition ${p} failed on its worker ${workers[p]}: ${j?.failedReason ?? 'unknown error'}`
          : `partition ${p}'s worker ${workers[p]} stopped responding (killed, or its machine or network lost)`,
      );
    }
  };
  /** The next report from a partition; undefined after `ms` without one. */
  const nextReport = async (ms: number): Promise<Report | undefined> => {
    if (inbox.length > 0) return inbox.shift();
    const r = await guard(ctl.blpop(ks.ctl, Math.max(0.01, ms / 1000)));
    if (!r) return undefined;
    const rep = JSON.parse(r[1]) as Report;
    if (rep.type === 'error') throw new UsageError(rep.message);
    if (rep.type === 'lost') throw new Lost(`partition ${rep.p}: ${rep.reason}`);
    return rep;
  };

  const ctxHolder: { ctx?: SearchContext } = {};
  // What the search covered (kept for the report when a worker is lost).
  let states = 0;
  let transitions = 0;
  let maxDepth = 0;
  let levels = 0;
  let waitSeconds = 0;
  const perPartition: PartitionStats[] = new Array<PartitionStats>(K);
  try {
    await guard(redis.set(ks.client, '1', 'PX', 10_000));
    refresh = setInterval(() => void redis.set(ks.client, '1', 'PX', 10_000).catch(() => {}), 2000);
    const data = (p: number): PartitionJob => ({
      kind: 'partition',
      protocol: PROTOCOL,
      batch: id,
      model: job.model,
      params: job.params,
      partition: p,
      partitions: K,
      shape,
      options: {
        symmetry: o.symmetry ?? false,
        all: o.all ?? false,
        checkDeadlock: (o.checkDeadlock ?? true) && !(o.skip ?? []).includes(dl),
        skip: [...(o.skip ?? [])],
        batchStates: o.batchStates ?? 4096,
        sentCacheLog2: o.sentCacheLog2 ?? 22,
        ...(o.maxMemoryBytes !== undefined ? { maxMemoryBytes: o.maxMemoryBytes } : {}),
        ...(o.deadline !== undefined ? { deadline: o.deadline } : o.timeLimitSeconds !== undefined ? { deadline: Date.now() + o.timeLimitSeconds * 1000 } : {}),
      },
    });
    await guard(client.queue.addBulk(
      Array.from({ length: K }, (_, p) => ({
        name: 'partition',
        data: data(p),
        opts: { jobId: jobIds[p]!, attempts: 1, removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } },
      })),
    ));

    // Every partition must have its worker before level 0: the search cannot start with fewer.
    let joined = 0;
    let lastStatus = 0;
    const waitCtx = new SearchContext(model, { ...o, onProgress: undefined });
    while (joined < K) {
      const rep = await nextReport(250);
      if (rep?.type === 'joined') {
        workers[rep.p] = rep.worker;
        aliveIds[rep.p] = rep.jobId;
        joined++;
        continue;
      }
      await liveness();
      if (waitCtx.tick(0, 0, 0, 0, 0, 0)) {
        const r = emptyResult(model, o, waitCtx.bound!, K, workers, (performance.now() - waitStart) / 1000);
        return r;
      }
      const now = performance.now();
      if (o.onStatus && now - lastStatus > 2000) {
        lastStatus = now;
        o.onStatus(`waiting for workers: ${joined} of ${K} partitions taken, ${await guard(client.workers())} workers connected (start more with \`tlbcheck worker --redis ${o.target.url}\`)`);
      }
    }
    waitSeconds = (performance.now() - waitStart) / 1000;

    // The search proper: its clock starts now.
    const ctx = new SearchContext(model, o);
    ctxHolder.ctx = ctx;
    let depth = 0;
    let peakFrontier = 0;
    let truncated = false;
    let exhausted = false;
    const violations = new Map<string, Found>();
    const witnesses = new Map<string, Found>();
    const reachIds = (model.sometimes ?? []).map((r) => r.id).filter((x) => !(o.skip ?? []).includes(x));
    let partitionBound: Bound | undefined;

    /** Waits for the K summaries of `level`, keeping the bounds and progress going meanwhile. */
    const collect = async (level: number): Promise<LevelSummary[]> => {
      const got: LevelSummary[] = [];
      let cancelledAt = 0;
      let lastProgressRead = 0;
      let live = { states: 0, transitions: 0 };
      while (got.length < K) {
        const rep = await nextReport(200);
        if (rep?.type === 'summary' && rep.level === level) {
          got.push(rep);
          continue;
        }
        await liveness();
        if (cancelledAt === 0) {
          if (o.onProgress && performance.now() - lastProgressRead > 1000) {
            lastProgressRead = performance.now();
            live = await guard(readProgress(redis, ks.progress, K));
          }
          if (ctx.tick(Math.max(states, live.states), Math.max(transitions, live.transitions), 0, depth, 0, 0)) {
            // Stop the partitions mid-level; they report what they found so far.
            await guard(client.cancel(id));
            cancelledAt = performance.now();
          }
        } else if (performance.now() - cancelledAt > 10_000) {
          const silent = [...Array(K).keys()].filter((p) => !got.some((g) => g.p === p));
          throw new Lost(`partition${silent.length === 1 ? '' : 's'} ${silent.join(', ')} did not answer within 10 s of the stop`);
        }
      }
      return got.sort((a, b) => a.p - b.p);
    };
    const merge = (sums: LevelSummary[], level: number): number => {
      let added = 0;
      for (const s of sums) {
        added += s.added;
        transitions += s.transitions;
        if (s.truncated) truncated = true;
        if (s.full) {
          ctx.bound ??= 'max-states';
        }
        if (s.bound !== null) partitionBound ??= s.bound as Bound;
        s.metrics.forEach((v, i) => {
          if (v > ctx.metricMax[i]!) ctx.metricMax[i] = v;
        });
        for (const v of s.violations) if (!violations.has(v.property)) violations.set(v.property, { ref: v, level });
        for (const w of s.witnesses) if (!witnesses.has(w.property)) witnesses.set(w.property, { ref: w, level });
        perPartition[s.p] = s.stats;
      }
      return added;
    };

    await broadcast({ type: 'init' });
    let added = merge(await collect(-1), -1);
    states = added;
    peakFrontier = added;
    let stop = violations.size > 0 && !(o.all ?? false);
    while (!stop) {
      if (partitionBound !== undefined || ctx.bound !== undefined) break;
      if (added === 0) {
        exhausted = true;
        break;
      }
      const atBound = depth >= ctx.maxDepth;
      const remaining = Number.isFinite(ctx.maxStates) ? Math.max(0, ctx.maxStates - states) : -1;
      await broadcast({ type: 'level', level: depth, atBound, remaining });
      added = merge(await collect(depth), depth);
      levels++;
      states += added;
      peakFrontier = Math.max(peakFrontier, added);
      if (added > 0) maxDepth = depth + 1;
      depth++;
      if (violations.size > 0 && !(o.all ?? false)) stop = true;
      if (o.stopWhenReached && reachIds.length > 0 && reachIds.every((r) => witnesses.has(r))) stop = true;
      if (atBound) {
        // Nothing beyond the depth bound is added: the search ends here, complete unless something new was left out.
        exhausted = !stop;
        break;
      }
    }
    if (partitionBound !== undefined && ctx.bound === undefined) ctx.bound = partitionBound;
    if (truncated && ctx.bound === undefined) ctx.bound = 'max-depth';

    // Counterexamples and witnesses: walk back through the owners, then replay on the model.
    const walks = [...violations.values(), ...witnesses.values()];
    const paths = await walkBack(walks.map((f) => [f.ref.hi, f.ref.lo] as [number, number]), K, command, nextReport, liveness);
    walks.forEach((f, i) => {
      const p = paths[i]!;
      const path = f.ref.kind === 'step' ? [...p.actions, f.ref.action] : p.actions;
      verifyEnd(model, ctx, p.initial, p.actions, f.ref);
      if (violations.get(f.ref.property) === f) ctx.record({ property: f.ref.property, statement: f.ref.statement, kind: f.ref.kind, initial: p.initial, path } as Violation);
      else ctx.witness({ property: f.ref.property, statement: f.ref.statement, kind: f.ref.kind as 'state' | 'step', initial: p.initial, path } as Witness);
    });

    const storeBytes = perPartition.reduce((a, s) => a + (s?.storeBytes ?? 0), 0);
    const r = ctx.finish({
      states: Number.isFinite(ctx.maxStates) ? Math.min(states, ctx.maxStates) : states,
      transitions,
      depth: maxDepth,
      peakFrontier,
      storeBytes,
      exhausted: exhausted && ctx.bound === undefined,
      startupSeconds: waitSeconds,
    });
    return { ...r, partitioned: partitionedStats(K, workers, levels, waitSeconds, perPartition, r.stats.states) };
  } catch (e) {
    if (!(e instanceof Lost) && !(e instanceof RedisLost)) throw e;
    lost = e instanceof RedisLost ? `${e.message}: the partitions' messages and coordination went with it` : e.message;
    const ctx = ctxHolder.ctx ?? new SearchContext(model, { ...o, onProgress: undefined });
    ctx.bound = 'worker-lost';
    // Violations found before the loss are not reported: their paths may run through the lost partition.
    ctx.violations.length = 0;
    ctx.witnesses.length = 0;
    const storeBytes = perPartition.reduce((a, s) => a + (s?.storeBytes ?? 0), 0);
    const r = ctx.finish({ states, transitions, depth: maxDepth, peakFrontier: 0, storeBytes, exhausted: false, startupSeconds: waitSeconds });
    return { ...r, partitioned: { ...partitionedStats(K, workers, levels, waitSeconds, perPartition, states), lost, ...(e instanceof RedisLost ? { redisLost: true } : {}) } };
  } finally {
    if (refresh) clearInterval(refresh);
    if (!watch.isLost()) await cleanUp().catch(() => {});
    watch.stop();
    // Without Redis nothing can be stopped or deleted: the partitions end when they find the client's key expired.
    ctl.disconnect();
    if (watch.isLost()) client.abandon();
    else await client.close();
  }

  /** Stops every partition, and leaves nothing behind in Redis. */
  async function cleanUp(): Promise<void> {
    await guard(client.cancel(id)).catch(() => {});
    await broadcast({ type: 'stop' }).catch(() => {});
    await sleep(50);
    const del: string[] = [ks.ctl, ks.progress, ks.client];
    for (let p = 0; p < K; p++) del.push(ks.inbox(p), ks.cmd(p), ks.claim(p));
    await guard(redis.del(...del)).catch(() => 0);
    for (const j of jobIds) await guard(client.queue.remove(j)).catch(() => 0);
  }
}

async function readProgress(redis: Redis, key: string, k: number): Promise<{ states: number; transitions: number }> {
  const h = await redis.hgetall(key);
  let states = 0;
  let transitions = 0;
  for (let p = 0; p < k; p++) {
    const [s, t] = (h[String(p)] ?? '0,0').split(',').map(Number);
    states += s ?? 0;
    transitions += t ?? 0;
  }
  return { states, transitions };
}

/** Paths (initial state, actions) to each fingerprint, walked back through the owners, all walks at once. */
async function walkBack(
  fps: [number, number][],
  k: number,
  command: (p: number, c: object) => Promise<void>,
  nextReport: (ms: number) => Promise<Report | undefined>,
  liveness: () => Promise<void>,
): Promise<{ initial: number; actions: number[] }[]> {
  const rev: number[][] = fps.map(() => []);
  const at: ([number, number] | null)[] = fps.map((f) => f);
  const initial: number[] = fps.map(() => -1);
  let req = 0;
  while (at.some((x) => x !== null)) {
    // One request per owner, for every walk that is at one of its states.
    const byOwner = new Map<number, number[]>();
    at.forEach((x, i) => {
      if (!x) return;
      const p = ownerOf(x[0], x[1], k);
      if (!byOwner.has(p)) byOwner.set(p, []);
      byOwner.get(p)!.push(i);
    });
    const reqOf = new Map<number, { p: number; walks: number[] }>();
    for (const [p, walks] of byOwner) {
      const r = ++req;
      reqOf.set(r, { p, walks });
      await command(p, { type: 'parents', req: r, fps: walks.map((i) => at[i]!) });
    }
    let waiting = reqOf.size;
    while (waiting > 0) {
      const rep = await nextReport(200);
      if (!rep) {
        await liveness();
        continue;
      }
      if (rep.type !== 'parents' || !reqOf.has(rep.req)) continue;
      waiting--;
      const { walks } = reqOf.get(rep.req)!;
      rep.answers.forEach((a: WalkAnswer | null, j) => {
        const i = walks[j]!;
        if (!a) throw new Error(`partition ${rep.p} does not know a state on the path of a counterexample (fingerprint ${at[i]!.join(':')})`);
        rev[i]!.push(...a.actions);
        at[i] = a.next;
        if (a.initial !== null) initial[i] = a.initial;
      });
    }
  }
  return rev.map((r, i) => ({ initial: initial[i]!, actions: [...r].reverse() }));
}

/** The walked path must end at the state the partition reported (its fingerprint): the trace is then the search's own. */
function verifyEnd(model: Model, ctx: SearchContext, initial: number, actions: number[], ref: FoundRef | WitnessRef): void {
  const end = lastState(replay(model, initial, actions));
  const fp = ctx.hash(end);
  if (fp[0] !== ref.hi || fp[1] !== ref.lo) throw new Error(`the path rebuilt for ${ref.property} does not replay to the state the search found`);
}

function partitionedStats(K: number, workers: readonly string[], levels: number, waitSeconds: number, per: readonly PartitionStats[], states: number): PartitionedStats {
  const sum = (f: (s: PartitionStats) => number): number => per.reduce((a, s) => a + (s ? f(s) : 0), 0);
  const n = Math.max(1, states);
  const total = sum((s) => s.expandMs + s.absorbMs + s.messageMs + s.barrierMs);
  return {
    partitions: K,
    workers,
    levels,
    waitSeconds,
    perPartition: per.filter(Boolean),
    messagesPerState: sum((s) => s.sentMessages) / n,
    bytesSentPerState: sum((s) => s.sentBytes) / n,
    sentStatesPerState: sum((s) => s.sentStates) / n,
    cacheHitsPerState: sum((s) => s.cacheHits) / n,
    expandSeconds: sum((s) => s.expandMs) / 1000,
    absorbSeconds: sum((s) => s.absorbMs) / 1000,
    messageSeconds: sum((s) => s.messageMs) / 1000,
    barrierSeconds: sum((s) => s.barrierMs) / 1000,
    messageShare: total > 0 ? sum((s) => s.messageMs) / total : 0,
  };
}

function emptyResult(model: Model, o: SearchOptions, bound: Bound, K: number, workers: readonly string[], waitSeconds: number): PartitionedResult {
  const ctx = new SearchContext(model, { ...o, onProgress: undefined });
  ctx.bound = bound;
  const r = ctx.finish({ states: 0, transitions: 0, depth: 0, peakFrontier: 0, storeBytes: 0, exhausted: false });
  return { ...r, partitioned: partitionedStats(K, workers, 0, waitSeconds, [], 0) };
}
