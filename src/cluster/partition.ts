/**
 * One partition of a partitioned breadth-first search (Stern–Dill, PReach):
 * it owns the states whose fingerprint is its number mod K, keeps their
 * fingerprints with their parent links (owned-set.ts) and the states of the
 * current and next level, and runs one level per command of the search's
 * client (partitioned.ts):
 *
 * - expand each of its states of the level: step and reachability checks
 *   on every transition, as locally; a successor it owns is inserted at
 *   once, any other is appended to the batch of its owner, sent whole when
 *   full (wire.ts), unless the cache of fingerprints already sent says the
 *   owner has it;
 * - meanwhile take its own inbox: insert what others sent (new states are
 *   checked against the state invariants here, by their owner, once);
 * - then send END to every other partition, wait for theirs (so every
 *   successor of the level has arrived), and report the level's summary:
 *   new states, transitions, violations and witnesses as fingerprints, metric
 *   maxima, bounds hit, and the cost of messaging.
 *
 * It also answers the client's walks back along parent links, and stops on
 * the client's command, when the client is gone, or when its worker stops
 * (then it tells the client, which ends the search incomplete).
 */
import type { Redis } from 'ioredis';
import { SearchContext } from '../engine/context.ts';
import { interruptRequested } from '../engine/interrupt.ts';
import type { Model, ModelFactory } from '../engine/model.ts';
import { StateQueue } from '../engine/queue.ts';
import { STOP_WORKER, type ModelShape, type PartitionJob, type PartitionOutcome } from './jobs.ts';
import { OwnedSet, ownerFunction } from './owned-set.ts';
import { connect, disconnectAll, keys, rpushExpiring, SEARCH_KEY_TTL_MS, type RedisTarget } from './redis.ts';
import { endMessage, HEADER_WORDS, KIND_END, KIND_PROBE, KIND_STATES, OutBatch, RECORD_EXTRA, wordsOf } from './wire.ts';
import { createHash } from 'node:crypto';

export interface FoundRef {
  readonly property: string;
  readonly statement: string;
  readonly kind: 'state' | 'step' | 'deadlock';
  /** The violating state (state), or the state the step or deadlock is at. */
  readonly hi: number;
  readonly lo: number;
  /** The violating step's action, or -1. */
  readonly action: number;
}

export interface WitnessRef {
  readonly property: string;
  readonly statement: string;
  readonly kind: 'state' | 'step';
  readonly hi: number;
  readonly lo: number;
  readonly action: number;
}

/** A partition's costs so far (cumulative), in its report of each level. */
export interface PartitionStats {
  stored: number;
  storeBytes: number;
  peakRssBytes: number;
  sentMessages: number;
  sentBytes: number;
  sentStates: number;
  /** Remote successors not sent because the cache said their owner had them. */
  cacheHits: number;
  receivedStates: number;
  /** Milliseconds: expanding states (successors, checks, hashing, local inserts). */
  expandMs: number;
  /** Decoding and inserting what others sent. */
  absorbMs: number;
  /** Packing batches and waiting on Redis (sends, pops). */
  messageMs: number;
  /** Waiting for the other partitions' END and for the client's next command. */
  barrierMs: number;
}

export interface LevelSummary {
  readonly type: 'summary';
  readonly p: number;
  readonly level: number;
  readonly added: number;
  readonly transitions: number;
  readonly truncated: boolean;
  readonly full: boolean;
  readonly bound: string | null;
  readonly violations: FoundRef[];
  readonly witnesses: WitnessRef[];
  readonly metrics: number[];
  readonly stats: PartitionStats;
}

export type Command =
  | { type: 'init' }
  | { type: 'level'; level: number; atBound: boolean; remaining: number }
  | { type: 'parents'; req: number; fps: [number, number][] }
  | { type: 'stop' };

/** One step back along the parent links, as far as the owner can go alone. */
export interface WalkAnswer {
  /** Actions from the asked state back (the last action first). */
  readonly actions: number[];
  /** The first ancestor owned by another partition, or null at an initial state. */
  readonly next: [number, number] | null;
  /** The initial state's index, when the walk reached it. */
  readonly initial: number | null;
}

export type Report =
  | { type: 'joined'; p: number; worker: string; jobId: string }
  | LevelSummary
  | { type: 'parents'; p: number; req: number; answers: (WalkAnswer | null)[] }
  | { type: 'lost'; p: number; worker: string; reason: string }
  | { type: 'error'; p: number; message: string };

/** What the client and the workers must agree on before a search: the model's size and names. */
export function modelShape(model: Model): ModelShape {
  const h = createHash('sha256');
  h.update(JSON.stringify([model.name, model.stateWords, model.agents, model.actions.map((a) => [a.agent, a.name]), model.invariants.map((i) => i.id), (model.sometimes ?? []).map((r) => r.id)]));
  return { stateWords: model.stateWords, actions: model.actions.length, digest: h.digest('hex').slice(0, 16) };
}

/** One turn of the event loop, so that socket reads and writes happen during a long expansion. */
function yieldToIo(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

const NO_PATH = (): { initial: number; actions: number[] } => ({ initial: 0, actions: [] });

/** Where the batched probes' loads end up, so that they are not optimised away. */
export let partitionTouchSink = 0;
/**
 * States expanded between two turns of the event loop (socket reads and writes, the inbox read ahead): a turn cost about
 * 20 us here, 2% of a partition's time at 256 states; at 1,024 (a few milliseconds) the sockets still keep up.
 */
const CHUNK = 1024;
/** Milliseconds from a pop of the inbox to the next: after one that brought messages, after an empty one. */
const FETCH_AFTER_MESSAGES_MS = 2;
const FETCH_AFTER_EMPTY_MS = 10;
/** Received records whose home slots are touched together before they are inserted. */
const ABSORB_GROUP = 16;

export async function runPartition(factory: ModelFactory, d: PartitionJob, target: RedisTarget, flag: Int32Array, jobId: string, worker: string): Promise<PartitionOutcome> {
  const me = d.partition;
  const ks = keys.search(d.batch);
  const send = await connect(target, `tlbcheck-partition-${me}-send`);
  const recv = await connect(target, `tlbcheck-partition-${me}-recv`);
  const report = async (r: Report): Promise<void> => {
    await rpushExpiring(send, ks.ctl, JSON.stringify(r));
  };
  try {
    const claimed = await send.set(ks.claim(me), worker, 'EX', 24 * 3600, 'NX');
    if (claimed !== 'OK') return { partition: me, status: 'stale', message: 'the partition was already taken (a job handed out again after its worker was lost)' };
    if ((await send.exists(ks.client)) === 0) return { partition: me, status: 'stale', message: 'the search is over' };
    const model = factory.create(d.params);
    const shape = modelShape(model);
    if (shape.digest !== d.shape.digest || shape.stateWords !== d.shape.stateWords || shape.actions !== d.shape.actions) {
      await report({ type: 'error', p: me, message: `worker ${worker} builds a different ${d.model} model (${shape.stateWords} words, ${shape.actions} actions, digest ${shape.digest}; the client's: ${d.shape.stateWords}, ${d.shape.actions}, ${d.shape.digest}): run the same tlbcheck version everywhere` });
      return { partition: me, status: 'done' };
    }
    const part = new Participant(model, d, send, recv, flag);
    await report({ type: 'joined', p: me, worker, jobId });
    for (;;) {
      const t0 = performance.now();
      const cmd = await part.nextCommand();
      part.stats.barrierMs += performance.now() - t0;
      if (cmd === 'worker') {
        await report({ type: 'lost', p: me, worker, reason: `its worker ${worker} was stopped (SIGINT or SIGTERM)` });
        return { partition: me, status: 'lost', message: 'worker stopped' };
      }
      if (cmd === 'gone') return { partition: me, status: 'stale', message: 'the search client is gone' };
      if (cmd.type === 'stop') return { partition: me, status: 'done' };
      if (cmd.type === 'init') await report(part.init());
      else if (cmd.type === 'level') {
        const summary = await part.level(cmd.level, cmd.atBound, cmd.remaining);
        if (interruptRequested(flag) && Atomics.load(flag, 1) === STOP_WORKER) {
          // Stopped by its own worker, not by the search: the search cannot go on without this partition.
          await report({ type: 'lost', p: me, worker, reason: `its worker ${worker} was stopped (SIGINT or SIGTERM)` });
          return { partition: me, status: 'lost', message: 'worker stopped' };
        }
        await report(summary);
      }
      else if (cmd.type === 'parents') await report({ type: 'parents', p: me, req: cmd.req, answers: cmd.fps.map(([h, l]) => part.walk(h, l)) });
    }
  } catch (e) {
    await report({ type: 'error', p: me, message: `partition ${me} on ${worker}: ${e instanceof Error ? e.message : String(e)}` }).catch(() => {});
    throw e;
  } finally {
    disconnectAll(send, recv);
  }
}

export class Participant {
  private readonly K: number;
  private readonly me: number;
  private readonly W: number;
  private readonly A: number;
  private readonly ctx: SearchContext;
  private readonly table: OwnedSet;
  /** This level's states, then the next level's behind them (one FIFO, as in bfs.ts: its chunks are reused). */
  private readonly queue: StateQueue;
  private readonly ks: ReturnType<typeof keys.search>;
  /** The sent cache: slot i is (lo, hi) at words 2i, 2i + 1 (side by side: one cache line a lookup). */
  private readonly cache: Uint32Array;
  private readonly cacheMask: number;
  private readonly owner: (h: number, l: number) => number;
  private transitionsTotal = 0;
  private lastClientCheck = performance.now();
  readonly stats: PartitionStats = {
    stored: 0,
    storeBytes: 0,
    peakRssBytes: 0,
    sentMessages: 0,
    sentBytes: 0,
    sentStates: 0,
    cacheHits: 0,
    receivedStates: 0,
    expandMs: 0,
    absorbMs: 0,
    messageMs: 0,
    barrierMs: 0,
  };

  constructor(
    private readonly model: Model,
    private readonly d: PartitionJob,
    private readonly send: Redis,
    private readonly recv: Redis,
    private readonly flag: Int32Array,
  ) {
    this.K = d.partitions;
    this.me = d.partition;
    this.W = model.stateWords;
    this.A = model.actions.length;
    const o = d.options;
    this.ctx = new SearchContext(model, {
      symmetry: o.symmetry,
      all: o.all,
      checkDeadlock: o.checkDeadlock,
      skip: o.skip,
      interrupt: flag,
      ...(o.deadline !== undefined ? { deadline: o.deadline } : {}),
      ...(o.maxMemoryBytes !== undefined ? { maxMemoryBytes: o.maxMemoryBytes } : {}),
    });
    this.table = new OwnedSet(Math.max(this.A, model.initialStates().length));
    this.queue = new StateQueue(this.W + 2);
    this.ks = keys.search(d.batch);
    const c = o.sentCacheLog2 > 0 && this.K > 1 ? 2 ** o.sentCacheLog2 : 1;
    this.cache = new Uint32Array(2 * c);
    this.cacheMask = c - 1;
    this.owner = ownerFunction(this.K);
    this.level = this.levelRunner();
  }

  /** The next command; 'worker' when this worker is stopping, 'gone' when the client is. */
  async nextCommand(): Promise<Command | 'worker' | 'gone'> {
    for (;;) {
      if (interruptRequested(this.flag) && Atomics.load(this.flag, 1) === STOP_WORKER) return 'worker';
      const r = await this.recv.blpop(this.ks.cmd(this.me), 0.5);
      if (r) return JSON.parse(r[1]) as Command;
      if (await this.clientGone()) return 'gone';
    }
  }

  private async clientGone(): Promise<boolean> {
    const now = performance.now();
    if (now - this.lastClientCheck < 2000) return false;
    this.lastClientCheck = now;
    return (await this.send.exists(this.ks.client)) === 0;
  }

  private stopped(): boolean {
    return interruptRequested(this.flag);
  }

  /** Level 0: the initial states this partition owns. */
  init(): LevelSummary {
    const ctx = this.ctx;
    const violations: FoundRef[] = [];
    const witnesses: WitnessRef[] = [];
    let added = 0;
    const inits = this.model.initialStates();
    for (let k = 0; k < inits.length; k++) {
      const s = inits[k]!;
      const fp = ctx.hash(s);
      const h = fp[0]!;
      const l = fp[1]!;
      if (this.owner(h, l) !== this.me) continue;
      if (!this.table.add(h, l, 0, 0, k)) continue;
      added++;
      ctx.observe(s);
      this.noteState(s, h, l, violations, witnesses);
      this.queue.push2(s, h, l);
    }
    return this.summary(-1, added, 0, false, false, null, violations, witnesses);
  }

  private noteState(s: Uint32Array, h: number, l: number, violations: FoundRef[], witnesses: WitnessRef[]): void {
    const ctx = this.ctx;
    if (ctx.reachStates.length > 0) {
      const before = ctx.witnesses.length;
      ctx.reachState(s, NO_PATH);
      for (const w of ctx.witnesses.slice(before)) witnesses.push({ property: w.property, statement: w.statement, kind: 'state', hi: h, lo: l, action: -1 });
    }
    const broken = ctx.brokenState(s);
    if (broken.length === 0) return;
    for (const c of [...broken]) {
      violations.push({ property: c.id, statement: c.statement, kind: 'state', hi: h, lo: l, action: -1 });
      ctx.record({ property: c.id, statement: c.statement, initial: 0, path: [], kind: 'state' });
    }
  }

  private summary(level: number, added: number, transitions: number, truncated: boolean, full: boolean, bound: string | null, violations: FoundRef[], witnesses: WitnessRef[]): LevelSummary {
    this.stats.stored = this.table.size;
    this.stats.storeBytes = this.table.bytes;
    this.stats.peakRssBytes = Math.max(this.stats.peakRssBytes, process.memoryUsage.rss());
    const metrics = Array.from(this.ctx.metricMax);
    return { type: 'summary', p: this.me, level, added, transitions, truncated, full, bound, violations, witnesses, metrics, stats: { ...this.stats } };
  }

  /** Expands this partition's states of `level`; returns when every successor of the level has reached its owner. */
  readonly level: (level: number, atBound: boolean, remaining: number) => Promise<LevelSummary>;

  /**
   * The level function and its helpers, made once per partition: closures made
   * anew each level were compiled anew too (the optimizing compiler's work, on
   * the other threads of a 2-core machine, was a second's CPU per worker).
   * The level's own variables are reset at its start (not the sent cache, the
   * batches, flushed empty at each level's end, or the time of the last
   * progress report).
   */
  private levelRunner(): (level: number, atBound: boolean, remaining: number) => Promise<LevelSummary> {
    const { model, ctx, table, W, A, K, me, owner } = this;
    const queue = this.queue;
    const stats = this.stats;
    const inbox = this.ks.inbox(me);
    // This level's number and bounds, set by each call.
    let level = 0;
    let atBound = false;
    let remaining = -1;
    /** States of this level still to expand: the queue's first ones; what is pushed meanwhile is the next level. */
    let left = 0;
    let violations: FoundRef[] = [];
    let witnesses: WitnessRef[] = [];
    // The state being expanded is a view of its queue record [state, fp hi, fp lo]: taken from the queue in one copy.
    const q = new Uint32Array(W + 2);
    const s = q.subarray(0, W);
    const r = new Uint32Array(W);
    // The successors of the state being expanded, their actions, fingerprints and owners: preallocated, reused.
    const succ = new Uint32Array(Math.max(1, A) * W);
    const pool = Array.from({ length: Math.max(1, A) }, (_, i) => succ.subarray(i * W, (i + 1) * W));
    const acts = new Int32Array(Math.max(1, A));
    const fph = new Uint32Array(Math.max(1, A));
    const fpl = new Uint32Array(Math.max(1, A));
    const dests = new Int32Array(Math.max(1, A));
    let sink = 0;
    // The enabling mask (Model.candidates), as the sequential search uses it: step only for the actions it names.
    const cands = model.candidates ? new Int32Array(Math.max(1, A)) : undefined;
    const out: (OutBatch | undefined)[] = Array.from({ length: K }, (_, i) => (i === me ? undefined : new OutBatch(W, this.d.options.batchStates, me)));
    let kind = KIND_STATES;
    const cache = this.cache;
    const cacheMask = this.cacheMask;
    const useCache = cacheMask > 0;
    /** The sent cache's slot (its first word) for fingerprint h:l. */
    const cacheSlot = (h: number, l: number): number => ((l ^ (h >>> 7)) & cacheMask) << 1;
    const ends = new Set<number>();
    let added = 0;
    let transitions = 0;
    let truncated = false;
    let full = false;
    let bound: string | null = null;
    let pending: Promise<unknown>[] = [];
    let pendingBytes = 0;

    const insert = (x: Uint32Array, h: number, l: number, ph: number, pl: number, a: number, probe: boolean): void => {
      if (probe) {
        if (!table.has(h, l)) truncated = true;
        return;
      }
      if (full) return;
      if (remaining >= 0 && added >= remaining) {
        if (!table.has(h, l)) full = true;
        return;
      }
      if (!table.add(h, l, ph, pl, a)) return;
      added++;
      ctx.observe(x);
      this.noteState(x, h, l, violations, witnesses);
      queue.push2(x, h, l);
    };
    const absorb = (b: Buffer): void => {
      const t0 = performance.now();
      const m = wordsOf(b);
      const k = m[0]!;
      if (k === KIND_END) {
        ends.add(m[1]!);
        return;
      }
      const n = m[3]!;
      const probe = k === KIND_PROBE;
      const R = W + RECORD_EXTRA;
      // In groups: the home slots of a group's records touched in one tight loop first (their misses overlap), as
      // the expansion does for its own successors.
      for (let g = 0; g < n; g += ABSORB_GROUP) {
        const end = Math.min(n, g + ABSORB_GROUP);
        for (let i = g, o = HEADER_WORDS + g * R + W + 1; i < end; i++, o += R) sink ^= table.touch(m[o]!);
        for (let i = g, o = HEADER_WORDS + g * R; i < end; i++, o += R) {
          for (let w = 0; w < W; w++) r[w] = m[o + w]!;
          const e = o + W;
          insert(r, m[e]!, m[e + 1]!, m[e + 2]!, m[e + 3]!, m[e + 4]!, probe);
        }
      }
      stats.receivedStates += n;
      stats.absorbMs += performance.now() - t0;
    };
    const flush = (dest: number): void => {
      const b = out[dest]!;
      const n = b.count;
      const msg = b.take(kind, level);
      stats.sentMessages++;
      stats.sentBytes += msg.byteLength;
      stats.sentStates += n;
      pendingBytes += msg.byteLength;
      pending.push(this.send.rpush(this.ks.inbox(dest), msg).then(() => b.release(msg)));
    };
    // The inbox is read ahead during the expansion (K > 1 only: with one partition nobody sends): a pop is on its way while
    // states are expanded, so its round trip costs no waiting. Pops are spaced out (2 ms after one that brought messages, 10 ms
    // after an empty one): a pop every 256 states cost a write and a read on the socket each, 5,000 a partition at 2.6 M
    // states, and Redis's time for each; batches come a few dozen a second, and those left wait for the next pop.
    let fetch: Promise<void> | undefined;
    let fetched: Buffer[] | null | undefined;
    let nextFetchAt = 0;
    const startFetch = (): void => {
      fetched = undefined;
      fetch = this.recv.lpopBuffer(inbox, 64).then((got) => {
        fetched = got ?? null;
      });
    };
    /** Lets the sockets work, takes what the pop ahead brought, and holds back when too much is on its way out. */
    const service = async (): Promise<void> => {
      const t0 = performance.now();
      await yieldToIo();
      stats.messageMs += performance.now() - t0;
      if (K > 1) {
        if (fetch === undefined) {
          if (performance.now() >= nextFetchAt) startFetch();
        } else if (fetched !== undefined) {
          const got = fetched;
          fetch = undefined;
          if (got) for (const b of got) absorb(b);
          nextFetchAt = performance.now() + (got && got.length > 0 ? FETCH_AFTER_MESSAGES_MS : FETCH_AFTER_EMPTY_MS);
        }
      }
      if (pendingBytes > 32 * 2 ** 20) {
        const t2 = performance.now();
        await Promise.all(pending);
        pending = [];
        pendingBytes = 0;
        stats.messageMs += performance.now() - t2;
      }
    };

    let sinceTick = 0;
    let lastProgress = performance.now();
    let mark = 0;
    let other = 0; // ms of this phase spent in messaging (subtracted from expansion)
    // Three passes per state, as the engine's BFS does: the successors, then their fingerprints with a read of the home
    // slot of each one owned here (the loads of one state's successors overlap), then each transition in action order.
    // Small functions, so that each gets its callees inlined.
    /** Fingerprints and owners of pool[0..n) (a function of its own, so that the hash is inlined into it). */
    const hashAll = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const fp = ctx.hash(pool[i]!);
        const h = fp[0]!;
        const l = fp[1]!;
        fph[i] = h;
        fpl[i] = l;
        dests[i] = owner(h, l);
      }
    };
    /** The successors of `s` into pool, with their actions, fingerprints and owners; returns how many. */
    const successors = (): number => {
      let enabled = 0;
      const nc = cands ? model.candidates!(s, cands) : A;
      for (let i = 0; i < nc; i++) {
        const a = cands ? cands[i]! : i;
        if (model.step(s, a, pool[enabled]!)) acts[enabled++] = a;
      }
      hashAll(enabled);
      // The touches in a loop of their own, so that their cache misses overlap (as in bfs.ts): the table's home
      // slot for an own successor, the sent cache's slot for another partition's.
      for (let i = 0; i < enabled; i++) {
        if (dests[i] === me) sink ^= table.touch(fpl[i]!);
        else if (useCache) sink ^= cache[cacheSlot(fph[i]!, fpl[i]!)]!;
      }
      return enabled;
    };
    /** Transition i out of s (fingerprint sh:sl): its checks, then it goes to its owner (here, or a batch). */
    const route = (i: number, sh: number, sl: number): void => {
      const a = acts[i]!;
      const t = pool[i]!;
      transitions++;
      if (ctx.stepChecks.length > 0) {
        const bad = ctx.brokenStep(s, a, t);
        if (bad.length > 0) {
          for (const c of [...bad]) {
            violations.push({ property: c.id, statement: c.statement, kind: 'step', hi: sh, lo: sl, action: a });
            ctx.record({ property: c.id, statement: c.statement, initial: 0, path: [], kind: 'step' });
          }
        }
      }
      if (ctx.reachSteps.length > 0) {
        const before = ctx.witnesses.length;
        ctx.reachStep(s, a, t, NO_PATH);
        for (const w of ctx.witnesses.slice(before)) witnesses.push({ property: w.property, statement: w.statement, kind: 'step', hi: sh, lo: sl, action: a });
      }
      const h = fph[i]!;
      const l = fpl[i]!;
      const dest = dests[i]!;
      if (dest === me) {
        insert(t, h, l, sh, sl, a, atBound);
        return;
      }
      if (useCache) {
        const ci = cacheSlot(h, l);
        if (cache[ci] === l && cache[ci + 1] === h) {
          stats.cacheHits++;
          return;
        }
        cache[ci] = l;
        cache[ci + 1] = h;
      }
      const b = out[dest]!;
      b.push(t, W, h, l, sh, sl, a);
      if (b.full) {
        const t0 = performance.now();
        flush(dest);
        const dt = performance.now() - t0;
        stats.messageMs += dt;
        other += dt;
      }
    };
    // The expansion proper is plain functions, called once per CHUNK states: an async function's loop is not
    // on-stack replaced, so a hot loop inside `level` itself would run unoptimised for a whole level.
    const expandChunk = (): void => {
      for (let n = 0; n < CHUNK && left > 0; n++, left--) {
        queue.shift(q);
        const sh = q[W]!;
        const sl = q[W + 1]!;
        const enabled = successors();
        for (let i = 0; i < enabled; i++) route(i, sh, sl);
        if (enabled === 0 && ctx.checkDeadlock && !model.isFinal(s) && !ctx.hasViolation(ctx.deadlockId)) {
          violations.push({ property: ctx.deadlockId, statement: ctx.deadlockStatement, kind: 'deadlock', hi: sh, lo: sl, action: -1 });
          ctx.record({ property: ctx.deadlockId, statement: ctx.deadlockStatement, initial: 0, path: [], kind: 'deadlock' });
        }
      }
    };
    return async (lv: number, ab: boolean, rem: number): Promise<LevelSummary> => {
      level = lv;
      atBound = ab;
      remaining = rem;
      kind = atBound ? KIND_PROBE : KIND_STATES;
      left = queue.length;
      violations = [];
      witnesses = [];
      ends.clear();
      added = 0;
      transitions = 0;
      truncated = false;
      full = false;
      bound = null;
      pending = [];
      pendingBytes = 0;
      fetch = undefined;
      fetched = undefined;
      nextFetchAt = 0;
      sinceTick = 0;
      mark = performance.now();
      other = 0;
      while (left > 0) {
        expandChunk();
        sinceTick += CHUNK;
        const t0 = performance.now();
        await service();
        other += performance.now() - t0;
        if (sinceTick < 2048) continue; // the bounds and the interrupt every 2,048 states, as before
        sinceTick = 0;
        if (ctx.tick(table.size, this.transitionsTotal + transitions, queue.length, level, table.bytes + queue.bytes, table.nextGrowthBytes)) {
          bound = ctx.bound ?? 'interrupted';
          break;
        }
        if (t0 - lastProgress > 1000) {
          lastProgress = t0;
          this.progress(`${table.size},${this.transitionsTotal + transitions}`);
        }
      }
      // Stopped early (a bound, an interrupt): the level's unexpanded states are dropped, so that they are never taken
      // for the next level's (the search ends here, as it did when each level had a queue of its own).
      for (; left > 0; left--) queue.shift(q);
      partitionTouchSink = sink;
      const now = performance.now();
      stats.expandMs += now - mark - other;
      mark = now;
      if (fetch) {
        await fetch;
        const got = fetched as Buffer[] | null | undefined; // set by the pop's callback
        if (got) for (const b of got) absorb(b);
        fetch = undefined;
      }
      // Everything of this level out, then END to everyone: FIFO per connection, so END comes after the batches.
      for (let dest = 0; dest < K; dest++) if (dest !== me && out[dest]!.count > 0) flush(dest);
      // END sets the inbox's expiry (a level's batches all come before it), so that no inbox outlives its search.
      for (let dest = 0; dest < K; dest++) if (dest !== me) pending.push(rpushExpiring(this.send, this.ks.inbox(dest), endMessage(me, level)));
      await Promise.all(pending);
      pending = [];
      pendingBytes = 0;
      stats.messageMs += performance.now() - mark;
      // The barrier inside the level: every other partition's END (with everything it sent before it).
      mark = performance.now();
      const absorbedBefore = stats.absorbMs;
      while (ends.size < K - 1) {
        const got = await this.recv.blpopBuffer(inbox, 0.5);
        if (got) {
          absorb(got[1]);
          const more = await this.recv.lpopBuffer(inbox, 64);
          if (more) for (const b of more) absorb(b);
          continue;
        }
        if (this.stopped()) {
          bound ??= 'interrupted';
          break;
        }
        if (await this.clientGone()) {
          bound ??= 'interrupted';
          break;
        }
      }
      stats.barrierMs += performance.now() - mark - (stats.absorbMs - absorbedBefore);
      if (bound === null && this.stopped()) bound = 'interrupted';
      this.transitionsTotal += transitions;
      this.progress(`${table.size},${this.transitionsTotal}`);
      return this.summary(level, added, transitions, truncated, full, bound, violations, witnesses);
    };
  }

  /** This partition's states and transitions so far, for the client's progress line (fire and forget). */
  private progress(v: string): void {
    this.send.pipeline().hset(this.ks.progress, String(this.me), v).pexpire(this.ks.progress, SEARCH_KEY_TTL_MS).exec().catch(() => {});
  }

  /** Walks back from (h, l) along this partition's parent links until another partition's state or an initial state. */
  walk(h: number, l: number): WalkAnswer | null {
    const actions: number[] = [];
    let ch = h;
    let cl = l;
    for (;;) {
      const p = this.table.parent(ch, cl);
      if (!p) return actions.length === 0 ? null : { actions, next: [ch, cl], initial: null };
      const [ph, pl, a] = p;
      if (ph === 0 && pl === 0) return { actions, next: null, initial: a };
      actions.push(a);
      if (this.owner(ph, pl) !== this.me) return { actions, next: [ph, pl], initial: null };
      ch = ph;
      cl = pl;
    }
  }
}
