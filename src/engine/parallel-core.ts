/**
 * What every thread of the parallel search runs, the main thread included:
 * claim work items of the current BFS level (runs of frontier states) one
 * at a time, expand their states into the shared visited set, and append
 * the new states to this thread's own chunk of the frontier arena (a chunk
 * it takes from the level's free list, or a new one at the arena's end).
 *
 * An item's new states stay in order (one run, or two when its chunk
 * fills), and the main thread
 * concatenates the items' outputs in item order, so that the children of
 * each state are a contiguous run and the runs come in the order of their
 * parents, exactly as in the sequential search: the compact BFS links
 * (BfsLinks) serve both. Which thread first inserts a state reached from
 * two parents of one level decides its parent; both give a shortest path.
 *
 * Growing the visited set parks every other thread: a thread announces
 * that it is in the item loop (IN_LOOP) before it reads GROW, and the
 * grower sets GROW before it reads IN_LOOP, so one of them always sees the
 * other (sequentially consistent atomics).
 */
import { SearchContext } from './context.ts';
import type { Model } from './model.ts';
import { CTRL, LOG, LOG_FIELDS, type SharedSearch } from './parallel-protocol.ts';
import { SharedTable, sharedKey } from './shared-table.ts';

/** States per work item (fewer for models of many actions, whose items would make large chunks). */
export function itemStates(actions: number): number {
  return Math.max(16, Math.min(512, Math.floor(65536 / Math.max(1, actions))));
}
/** Fields of an item (first record, records) and of a result (two runs of records). */
export const ITEM_FIELDS = 2;
export const RESULT_FIELDS = 4;

/**
 * Records per frontier chunk: an item's new states (at most one per action
 * of each of its states) then span two chunks at most, so its result is two runs.
 */
export function chunkRecords(actions: number): number {
  return Math.max(4096, itemStates(actions) * Math.max(1, actions));
}

type Growable = SharedArrayBuffer & { grow(n: number): void; readonly maxByteLength: number };

/** A growable SharedArrayBuffer of `bytes`, reserving up to 4 GiB. */
export function growableShared(bytes: number): SharedArrayBuffer {
  const make = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
  return new make(bytes, { maxByteLength: 2 ** 32 });
}

/**
 * A fixed-length Uint32Array over all of `buf` now. Never a length-tracking
 * view of a growable buffer: V8 reads those several times slower.
 */
export function u32(buf: SharedArrayBuffer): Uint32Array {
  return new Uint32Array(buf, 0, buf.byteLength >> 2);
}

/** Calls `f` with each chunk (of `CH` records) that records [first, first + count) lie in. */
export function forChunks(first: number, count: number, CH: number, f: (chunk: number) => void): void {
  for (let x = Math.floor(first / CH), end = Math.floor((first + count - 1) / CH); x <= end; x++) f(x);
}

/** Grows `buf` to at least `bytes`, exactly, even while other threads grow it too. */
export function growShared(buf: SharedArrayBuffer, bytes: number): void {
  const g = buf as Growable;
  while (buf.byteLength < bytes) {
    if (bytes > g.maxByteLength) throw new RangeError(`parallel search: a shared buffer would need ${bytes} bytes (at most ${g.maxByteLength})`);
    try {
      g.grow(bytes);
    } catch (e) {
      // Another thread grew it past `bytes` first.
      if (buf.byteLength < bytes) throw e;
    }
  }
}

/** Grows `buf` to hold at least `bytes` (by half at least). */
export function ensureShared(buf: SharedArrayBuffer, bytes: number): void {
  if (buf.byteLength >= bytes) return;
  const max = (buf as Growable).maxByteLength;
  growShared(buf, Math.min(max, Math.max(bytes, Math.ceil((buf.byteLength * 1.5) / 8) * 8)));
}

/** Property ids in one fixed order, the same in every thread: log entries name properties by index. */
export function propertyIds(model: Model, ctx: SearchContext): string[] {
  return [...new Set([...model.invariants.map((i) => i.id), ctx.deadlockId, ...(model.sometimes ?? []).map((r) => r.id)])];
}

export class LevelSearcher {
  readonly ctrl: Int32Array;
  readonly table: SharedTable;
  private readonly W: number;
  private readonly A: number;
  private readonly R: number;
  private readonly ids: Map<string, number>;
  private readonly stats: Float64Array;
  private readonly statsBase: number;
  private readonly pool: Uint32Array[];
  private readonly acts: Int32Array;
  private readonly cands: Int32Array | undefined;
  private readonly fps: Int32Array;
  private readonly key = new Int32Array(2);
  private readonly cur: Uint32Array;
  /** Records per chunk of the frontier arena. */
  private readonly CH: number;
  /** This thread's view of the arena (fixed length; renewed when the arena has grown past it). */
  private arena: Uint32Array;
  private pending: Int32Array;
  private free: Int32Array;
  /** The next record this thread writes, and the end of its current chunk (global record numbers). */
  private outPos = 0;
  private chunkEnd = 0;
  transitions = 0;
  private sinceSync = 0;
  private touchSink = 0;

  constructor(
    readonly model: Model,
    readonly ctx: SearchContext,
    readonly shared: SharedSearch,
    readonly self: number,
  ) {
    this.ctrl = new Int32Array(shared.ctrl);
    this.W = model.stateWords;
    this.A = model.actions.length;
    this.R = this.W + 1;
    this.table = new SharedTable(shared.table, Atomics.load(this.ctrl, CTRL.CAP));
    this.ids = new Map(propertyIds(model, ctx).map((id, i) => [id, i]));
    this.stats = new Float64Array(shared.stats);
    this.statsBase = self * (1 + ctx.metrics.length);
    const succ = new Uint32Array(Math.max(1, this.A) * this.W);
    this.pool = Array.from({ length: this.A }, (_, i) => succ.subarray(i * this.W, (i + 1) * this.W));
    this.acts = new Int32Array(this.A);
    this.cands = model.candidates ? new Int32Array(Math.max(1, this.A)) : undefined;
    this.fps = new Int32Array(Math.max(1, this.A) * 2);
    this.cur = new Uint32Array(this.W);
    this.CH = shared.chunkRecords;
    this.arena = u32(shared.arena);
    this.pending = new Int32Array(shared.pending, 0, shared.pending.byteLength >> 2);
    this.free = new Int32Array(shared.freeChunks, 0, shared.freeChunks.byteLength >> 2);
  }

  /** Takes a chunk for this thread's next records: a free one of this level's list, else a new one. */
  private takeChunk(): void {
    const c = this.ctrl;
    const sh = this.shared;
    let chunk = -1;
    for (;;) {
      const i = Atomics.load(c, CTRL.FREE_TAKE);
      if (i >= Atomics.load(c, CTRL.FREE_COUNT)) break;
      if (Atomics.compareExchange(c, CTRL.FREE_TAKE, i, i + 1) !== i) continue;
      // The slot is reserved; its chunk is written a moment after.
      while ((chunk = Atomics.load(this.free, i)) < 0);
      break;
    }
    if (chunk < 0) chunk = Atomics.add(c, CTRL.CHUNKS, 1);
    const end = (chunk + 1) * this.CH;
    growShared(sh.arena, end * this.R * 4);
    if (this.arena.length < end * this.R) this.arena = u32(sh.arena);
    this.outPos = chunk * this.CH;
    this.chunkEnd = end;
  }

  /** Appends a record (state, action) to this thread's chunk; returns its global record number. */
  emit(state: Uint32Array, action: number): number {
    if (this.outPos === this.chunkEnd) this.takeChunk();
    const g = this.outPos++;
    const o = g * this.R;
    const a = this.arena;
    for (let w = 0; w < this.W; w++) a[o + w] = state[w]!;
    a[o + this.W] = action;
    return g;
  }

  /** Appends a log entry (a violation or a witness) for the main thread. */
  private log(kind: number, property: string, at: number, action: number): void {
    const n = Atomics.add(this.ctrl, CTRL.LOG_COUNT, 1);
    const log = new Float64Array(this.shared.log);
    if ((n + 1) * LOG_FIELDS > log.length) return; // cannot happen: at most one entry per property, kind and thread
    log.set([kind, this.ids.get(property) ?? -1, at, action], n * LOG_FIELDS);
  }

  /** Parks while another thread grows the visited set, helping with the rehash's bands. */
  private park(): void {
    const c = this.ctrl;
    Atomics.store(c, CTRL.PARKED + this.self, 1);
    bump(c);
    let seen = -1;
    let helped = false;
    const aside: number[] = [];
    for (;;) {
      this.helpGrow(aside, seen, helped);
      // Unpark, then look again: a new growth may have begun in between, and its
      // grower may have seen this thread still parked (sequentially consistent
      // atomics: it saw PARKED = 0 and waits, or this thread sees GROW = 1).
      Atomics.store(c, CTRL.PARKED + this.self, 0);
      if (Atomics.load(c, CTRL.GROW) === 0) break;
      Atomics.store(c, CTRL.PARKED + this.self, 1);
      bump(c);
      seen = -1;
      helped = false;
      aside.length = 0;
    }
    this.table.refresh(Atomics.load(c, CTRL.CAP));
  }

  /** While GROW is set: helps with each band, then inserts what it set aside. */
  private helpGrow(aside: number[], seen: number, helped: boolean): void {
    const c = this.ctrl;
    while (Atomics.load(c, CTRL.GROW) !== 0) {
      const phase = Atomics.load(c, CTRL.PHASE);
      if (phase !== seen) {
        seen = phase;
        const kind = Atomics.load(c, CTRL.PHASE_KIND);
        if (kind === 1) {
          if (this.bandParts(aside, !helped)) helped = true;
        } else if (kind === 2 && helped) {
          this.table.insertAside(aside, Atomics.load(c, CTRL.NEW_CAP));
          aside.length = 0;
          helped = false;
          Atomics.add(c, CTRL.ASIDE_DONE, 1);
          bump(c);
        }
        continue;
      }
      Atomics.wait(c, CTRL.PHASE, phase, 5);
    }
  }

  /**
   * Takes parts of the current band until none is left; true if it took
   * any. A helper counts itself (HELPERS) on its first part, before doing
   * it: the grower reads HELPERS only once every part is done, so it waits
   * for exactly the helpers that hold set-aside entries.
   *
   * BAND_CLAIM is one word, the band's number (11 bits) above the next part
   * (20 bits), claimed by compare-and-swap: a thread that read one band's
   * bounds can never take a part of the next. The grower marks the word
   * invalid while it writes a band's bounds (a seqlock).
   */
  private bandParts(aside: number[], count: boolean): boolean {
    const c = this.ctrl;
    let took = false;
    const w0 = Atomics.load(c, CTRL.BAND_CLAIM);
    if (w0 < 0) return false;
    const from = Atomics.load(c, CTRL.BAND_FROM);
    const to = Atomics.load(c, CTRL.BAND_TO);
    const subs = Atomics.load(c, CTRL.BAND_SUBS);
    const cap2 = Atomics.load(c, CTRL.NEW_CAP);
    let w = Atomics.load(c, CTRL.BAND_CLAIM);
    if (w < 0 || w >>> 20 !== w0 >>> 20) return false; // the bounds changed while read
    const size = Math.ceil((to - from) / subs);
    for (;;) {
      if (w >>> 20 !== w0 >>> 20) break;
      const i = w & 0xfffff;
      if (i >= subs) break;
      const prev = Atomics.compareExchange(c, CTRL.BAND_CLAIM, w, w + 1);
      if (prev !== w) {
        w = prev;
        if (w < 0) break;
        continue;
      }
      w = w + 1;
      if (count && !took) Atomics.add(c, CTRL.HELPERS, 1);
      took = true;
      const hi = to - i * size;
      this.table.moveBand(Math.max(from, hi - size), hi, to, cap2, aside);
      if (Atomics.add(c, CTRL.BAND_DONE, 1) + 1 === subs) bump(c);
    }
    return took;
  }

  /** Starts a phase of a growth and wakes the parked threads. */
  private phase(kind: number): void {
    Atomics.store(this.ctrl, CTRL.PHASE_KIND, kind);
    Atomics.add(this.ctrl, CTRL.PHASE, 1);
    Atomics.notify(this.ctrl, CTRL.PHASE);
  }

  /** Publishes inserts; grows the visited set when it is past its load (parking everyone else). */
  private sync(): void {
    const c = this.ctrl;
    const size = Atomics.add(c, CTRL.SIZE, this.sinceSync) + this.sinceSync;
    this.sinceSync = 0;
    if (size <= this.table.limit || !this.table.canGrow) return;
    if (Atomics.compareExchange(c, CTRL.GROW, 0, 1) !== 0) {
      this.park();
      return;
    }
    // Wait until every other thread is out of the item loop or parked.
    for (let t = 0; t < this.shared.threads; t++) {
      if (t === this.self) continue;
      while (Atomics.load(c, CTRL.IN_LOOP + t) === 1 && Atomics.load(c, CTRL.PARKED + t) === 0) Atomics.wait(c, CTRL.EVENT, Atomics.load(c, CTRL.EVENT), 1);
    }
    this.table.refresh(Atomics.load(c, CTRL.CAP));
    Atomics.store(c, CTRL.HELPERS, 0);
    Atomics.store(c, CTRL.ASIDE_DONE, 0);
    Atomics.store(c, CTRL.NEW_CAP, this.table.nextCapacity);
    const aside: number[] = [];
    const cap = this.table.grow((from, to) => {
      // Parts of about 16 K slots, shared with every parked thread. Band numbers
      // follow on from the last band of any growth, whichever thread grew: a
      // helper left holding a claim word of an earlier growth (it took no part
      // there, so that growth did not wait for it) can then never match a band
      // of this one unless 2048 bands have passed in between.
      const band = ((Atomics.load(c, CTRL.BAND_CLAIM) >>> 20) + 1) & 0x7ff;
      Atomics.store(c, CTRL.BAND_CLAIM, -1);
      Atomics.store(c, CTRL.BAND_FROM, from);
      Atomics.store(c, CTRL.BAND_TO, to);
      Atomics.store(c, CTRL.BAND_SUBS, Math.max(1, Math.min(0xfffff, Math.ceil((to - from) / 16384))));
      Atomics.store(c, CTRL.BAND_DONE, 0);
      Atomics.store(c, CTRL.BAND_CLAIM, band << 20);
      this.phase(1);
      this.bandParts(aside, false);
      const subs = Atomics.load(c, CTRL.BAND_SUBS);
      while (Atomics.load(c, CTRL.BAND_DONE) < subs) Atomics.wait(c, CTRL.EVENT, Atomics.load(c, CTRL.EVENT), 1);
    });
    // Everything set aside goes in now that the table is whole again: each thread its own.
    this.phase(2);
    this.table.insertAside(aside, cap);
    const helpers = Atomics.load(c, CTRL.HELPERS);
    while (Atomics.load(c, CTRL.ASIDE_DONE) < helpers) Atomics.wait(c, CTRL.EVENT, Atomics.load(c, CTRL.EVENT), 1);
    Atomics.store(c, CTRL.CAP, cap);
    Atomics.store(c, CTRL.PHASE_KIND, 0);
    Atomics.store(c, CTRL.GROW, 0);
    Atomics.add(c, CTRL.PHASE, 1);
    Atomics.notify(c, CTRL.PHASE);
    bump(c);
  }

  /** Starts a level: its new states go to chunks of their own (taken on the first), and the arena is seen whole. */
  startLevel(): void {
    this.outPos = 0;
    this.chunkEnd = 0;
    this.arena = u32(this.shared.arena);
    this.pending = new Int32Array(this.shared.pending, 0, this.shared.pending.byteLength >> 2);
    this.free = new Int32Array(this.shared.freeChunks, 0, this.shared.freeChunks.byteLength >> 2);
    this.table.refresh(Atomics.load(this.ctrl, CTRL.CAP));
  }

  /**
   * Claims and expands items until none is left (or STOP). `between` runs
   * after each item (the main thread checks its bounds there) and returns
   * true to stop the level.
   */
  runItems(between?: () => boolean): void {
    const c = this.ctrl;
    Atomics.store(c, CTRL.IN_LOOP + this.self, 1);
    try {
      const n = Atomics.load(c, CTRL.ITEMS);
      for (;;) {
        if (Atomics.load(c, CTRL.GROW) !== 0) this.park();
        if (Atomics.load(c, CTRL.STOP) !== 0) break;
        const i = Atomics.add(c, CTRL.CLAIM, 1);
        if (i >= n) break;
        this.item(i);
        if (between && between()) {
          Atomics.store(c, CTRL.STOP, 1);
          bump(c);
          break;
        }
      }
      if (this.sinceSync > 0) this.sync();
    } finally {
      Atomics.store(c, CTRL.IN_LOOP + this.self, 0);
      bump(c);
    }
    this.publish();
  }

  /** Writes this thread's transitions and metric maxima where the main thread reads them. */
  publish(): void {
    const s = this.stats;
    const b = this.statsBase;
    s[b] = this.transitions;
    const m = this.ctx.metricMax;
    for (let i = 0; i < m.length; i++) s[b + 1 + i] = m[i]!;
  }

  private item(i: number): void {
    const sh = this.shared;
    const c = this.ctrl;
    const items = new Int32Array(sh.items, 0, sh.items.byteLength >> 2);
    const first = items[i * ITEM_FIELDS]!;
    const count = items[i * ITEM_FIELDS + 1]!;
    const bases = new Float64Array(sh.itemBase, 0, sh.itemBase.byteLength >> 3);
    const base = bases[i]!;
    const levelBase = bases[0]!;
    const src = this.arena;
    const counts = u32(sh.childCounts);
    // Where this item's new states go: a run in this thread's chunk, and a second run if that chunk fills.
    let run1 = -1;
    let count1 = 0;
    let run2 = this.outPos;
    let count2 = 0;
    const atBound = Atomics.load(c, CTRL.AT_BOUND) === 1;
    const { model, ctx, W, R, A, pool, acts, fps, key, cur, table } = this;
    for (let k = 0; k < count; k++) {
      if (k > 0 && Atomics.load(c, CTRL.GROW) !== 0) this.park();
      const idx = base + k;
      const at = (first + k) * R;
      for (let w = 0; w < W; w++) cur[w] = src[at + w]!;
      let enabled = 0;
      const cands = this.cands;
      if (cands) {
        const kc = model.candidates!(cur, cands);
        for (let q = 0; q < kc; q++) {
          const a = cands[q]!;
          if (model.step(cur, a, pool[enabled]!)) acts[enabled++] = a;
        }
      } else {
        for (let a = 0; a < A; a++) if (model.step(cur, a, pool[enabled]!)) acts[enabled++] = a;
      }
      for (let e = 0; e < enabled; e++) {
        const fp = ctx.hash(pool[e]!);
        sharedKey(fp[0]!, fp[1]!, key);
        fps[2 * e] = key[0]!;
        fps[2 * e + 1] = key[1]!;
      }
      // The touches in a loop of their own, so that their cache misses overlap (as in bfs.ts).
      for (let e = 0; e < enabled; e++) this.touchSink ^= table.touch(fps[2 * e + 1]!);
      let children = 0;
      for (let e = 0; e < enabled; e++) {
        const a = acts[e]!;
        const t = pool[e]!;
        this.transitions++;
        if (ctx.stepChecks.length > 0) {
          const broken = ctx.brokenStep(cur, a, t);
          for (let b = 0; b < broken.length; b++) {
            const bad = broken[b]!;
            this.log(LOG.STEP, bad.id, idx, a);
            ctx.record({ property: bad.id, statement: bad.statement, initial: 0, path: [], kind: 'step' });
          }
        }
        if (ctx.reachSteps.length > 0) {
          const before = ctx.witnesses.length;
          ctx.reachStep(cur, a, t, () => ({ initial: 0, actions: [] }));
          for (const w of ctx.witnesses.slice(before)) this.log(LOG.REACH_STEP, w.property, idx, a);
        }
        const hi = fps[2 * e]!;
        const lo = fps[2 * e + 1]!;
        if (atBound) {
          if (!table.has(hi, lo)) Atomics.store(c, CTRL.TRUNCATED, 1);
          continue;
        }
        if (!table.insert(hi, lo)) continue;
        this.sinceSync++;
        const maxNew = Atomics.load(c, CTRL.MAX_NEW);
        if (maxNew >= 0 && Atomics.add(c, CTRL.NEW_COUNT, 1) >= maxNew) {
          Atomics.store(c, CTRL.FULL, 1);
          Atomics.store(c, CTRL.STOP, 1);
          continue;
        }
        const g = this.emit(t, a);
        if (g !== run2 + count2) {
          // A chunk not next to the last: the run so far becomes the first.
          if (count2 > 0) {
            if (run1 >= 0) throw new Error('parallel search: an item outgrew two chunks');
            run1 = run2;
            count1 = count2;
          }
          run2 = g;
          count2 = 0;
        }
        count2++;
        children++;
        ctx.observe(t);
        if (ctx.reachStates.length > 0) {
          const before = ctx.witnesses.length;
          ctx.reachState(t, () => ({ initial: 0, actions: [] }));
          for (const w of ctx.witnesses.slice(before)) this.log(LOG.REACH_STATE, w.property, idx, a);
        }
        if (ctx.stateChecks.length > 0) {
          const broken = ctx.brokenState(t);
          for (let b = 0; b < broken.length; b++) {
            const bad = broken[b]!;
            this.log(LOG.STATE, bad.id, idx, a);
            ctx.record({ property: bad.id, statement: bad.statement, initial: 0, path: [], kind: 'state' });
          }
        }
      }
      counts[idx - levelBase] = children;
      if (enabled === 0 && ctx.checkDeadlock && !model.isFinal(cur) && !ctx.hasViolation(ctx.deadlockId)) {
        this.log(LOG.DEADLOCK, ctx.deadlockId, idx, -1);
        ctx.record({ property: ctx.deadlockId, statement: ctx.deadlockStatement, initial: 0, path: [], kind: 'deadlock' });
      }
      if (this.sinceSync >= this.syncEvery()) this.sync();
    }
    // The last item to read a chunk of this level frees it for the new states.
    forChunks(first, count, this.CH, (x) => {
      if (Atomics.sub(this.pending, x, 1) === 1) Atomics.store(this.free, Atomics.add(c, CTRL.FREE_COUNT, 1), x);
    });
    const results = new Int32Array(sh.results, 0, sh.results.byteLength >> 2);
    const r = i * RESULT_FIELDS;
    if (run1 < 0) {
      results[r] = run2;
      results[r + 1] = count2;
      results[r + 2] = 0;
      results[r + 3] = 0;
    } else {
      results[r] = run1;
      results[r + 1] = count1;
      results[r + 2] = run2;
      results[r + 3] = count2;
    }
  }

  /** Inserts between publications: few while the table is small (its slack is small), 64 at most. */
  private syncEvery(): number {
    const slack = this.table.cap * 0.1;
    return Math.max(1, Math.min(64, Math.floor(slack / (this.shared.threads * (this.A + 64)))));
  }

  /** Keeps the batched probes' touches from being optimised away. */
  get sink(): number {
    return this.touchSink;
  }
}

/** Signals a change to every waiting thread. */
export function bump(c: Int32Array): void {
  Atomics.add(c, CTRL.EVENT, 1);
  Atomics.notify(c, CTRL.EVENT);
}
