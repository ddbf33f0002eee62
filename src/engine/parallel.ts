/**
 * Level-synchronous parallel breadth-first search on `workers` threads: the
 * calling thread and workers-1 worker threads (node:worker_threads) share
 * the visited set (the sequential table's layout, filled with
 * compare-and-swap) and the frontier buffers, all in SharedArrayBuffers.
 * Each level is cut into work items that the threads claim with an atomic
 * counter (no messages); levels are barriers, so violations keep their
 * shortest lengths and state counts equal the sequential search's.
 *
 * Start-up overlaps the search: the calling thread starts at once, and a
 * worker joins at the first level that begins after it has built its model.
 * Between levels the calling thread concatenates the items' outputs in
 * order and appends them to the compact BFS links, so memory per state is
 * the sequential search's.
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SearchContext } from './context.ts';
import type { Model } from './model.ts';
import { bump, chunkRecords, ensureShared, forChunks, growableShared, ITEM_FIELDS, itemStates, LevelSearcher, propertyIds, RESULT_FIELDS, u32 } from './parallel-core.ts';
import { CTRL, LOG, LOG_FIELDS, MAX_THREADS, type ModelJob, type SharedSearch, type WorkerSearchOptions } from './parallel-protocol.ts';
import type { SearchOptions, SearchResult, Violation } from './result.ts';
import { newSharedTableBuffer, sharedKey } from './shared-table.ts';
import { BfsLinks } from './visited.ts';

/** A worker starts from worker-boot.mjs, which runs parallel-worker.ts bundled with the model registry. */
const BOOT = fileURLToPath(new URL('./worker-boot.mjs', import.meta.url));
const WORKER_ENTRY = new URL('./parallel-worker.ts', import.meta.url).href;
/** Initial capacity of the shared visited set (slots). */
const INITIAL_SLOTS = 1 << 15;

/** Appends a run of records to `runs`, extending the last when it continues it. */
function addRun(runs: { first: number; count: number }[], first: number, count: number): void {
  if (count === 0) return;
  const last = runs[runs.length - 1];
  if (last && last.first + last.count === first) last.count += count;
  else runs.push({ first, count });
}

export function defaultWorkers(): number {
  return Math.max(1, cpus().length);
}

/**
 * Searches `model` (built by the caller from `job`, identically to the
 * workers) with `workers` threads. Only breadth-first search is parallel.
 */
export async function parallelBfs(model: Model, job: ModelJob, options: SearchOptions & { workers: number }): Promise<SearchResult> {
  if (options.fingerprintBits === 128) throw new Error('the parallel search keeps 64-bit fingerprints: use --fingerprint 128 with one worker');
  const threads = Math.min(MAX_THREADS, Math.max(1, options.workers));
  const W = model.stateWords;
  const R = W + 1;
  const ctx = new SearchContext(model, options);
  const dl = model.deadlock?.id ?? 'deadlock';
  const wopts: WorkerSearchOptions = {
    symmetry: options.symmetry ?? false,
    all: options.all ?? false,
    checkDeadlock: (options.checkDeadlock ?? true) && !(options.skip ?? []).includes(dl),
    skip: [...(options.skip ?? [])],
  };
  const nprops = propertyIds(model, ctx).length;
  const shared: SharedSearch = {
    job,
    options: wopts,
    threads,
    ctrl: new SharedArrayBuffer(CTRL.SIZE_WORDS * 4),
    table: newSharedTableBuffer(INITIAL_SLOTS),
    arena: growableShared(0),
    chunkRecords: chunkRecords(model.actions.length),
    freeChunks: growableShared(64 * 4),
    pending: growableShared(64 * 4),
    items: growableShared(64 * ITEM_FIELDS * 4),
    itemBase: growableShared(64 * 8),
    results: growableShared(64 * RESULT_FIELDS * 4),
    childCounts: growableShared(4096 * 4),
    log: new SharedArrayBuffer(Math.max(1, threads * (nprops + 1) * 5) * LOG_FIELDS * 8),
    stats: new SharedArrayBuffer(threads * (1 + ctx.metrics.length) * 8),
    error: new SharedArrayBuffer(4096),
  };
  const c = new Int32Array(shared.ctrl);
  Atomics.store(c, CTRL.CAP, INITIAL_SLOTS);
  Atomics.store(c, CTRL.LEVEL, -1);
  Atomics.store(c, CTRL.MAX_NEW, -1);
  for (let t = 0; t < MAX_THREADS; t++) Atomics.store(c, CTRL.PARTICIPANT + t, -1);

  const boot = performance.now();
  let startupSeconds: number | undefined;
  const workers: Worker[] = [];
  const failures: string[] = [];
  for (let t = 1; t < threads; t++) {
    const w = new Worker(BOOT, { workerData: { shared, self: t, boot: { entry: WORKER_ENTRY, registry: job.registry } }, });
    w.on('error', (e: unknown) => {
      failures.push(e instanceof Error ? e.message : String(e));
      bump(c);
    });
    w.on('exit', (code) => {
      if (code !== 0 && Atomics.load(c, CTRL.EXIT) === 0) failures.push(`a search worker exited with code ${code}`);
      bump(c);
    });
    workers.push(w);
  }

  // This thread's share of the expansion has a context of its own, like a worker's (it records only to dedupe).
  const me = new LevelSearcher(model, new SearchContext(model, { symmetry: wopts.symmetry, all: wopts.all, checkDeadlock: wopts.checkDeadlock, skip: wopts.skip }), shared, 0);
  const links = new BfsLinks(model.actions.length);
  const ids = propertyIds(model, ctx);
  const statement = (id: string): string =>
    id === ctx.deadlockId ? ctx.deadlockStatement : model.invariants.find((i) => i.id === id)?.statement ?? model.sometimes?.find((r) => r.id === id)?.statement ?? id;

  try {
    return await search();
  } finally {
    Atomics.store(c, CTRL.EXIT, 1);
    Atomics.store(c, CTRL.STOP, 1);
    bump(c);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  async function search(): Promise<SearchResult> {
    const table = me.table;
    const key = new Int32Array(2);
    let stop = false;
    let truncated = false;
    let peakFrontier = 0;
    let peakFrontierBytes = 0;

    // Level 0: the initial states, by this thread, into chunks of the arena.
    const inits = model.initialStates();
    me.startLevel();
    let segments: { first: number; count: number }[] = [];
    let count0 = 0;
    for (let k = 0; k < inits.length; k++) {
      const s = inits[k]!;
      const fp = ctx.hash(s);
      sharedKey(fp[0]!, fp[1]!, key);
      if (!table.insert(key[0]!, key[1]!)) continue;
      Atomics.add(c, CTRL.SIZE, 1);
      links.pushInitial(k);
      addRun(segments, me.emit(s, 0), 1);
      count0++;
      ctx.observe(s);
      if (ctx.reachStates.length > 0) ctx.reachState(s, () => ({ initial: k, actions: [] }));
      for (const b of ctx.brokenState(s)) ctx.record({ property: b.id, statement: b.statement, initial: k, path: [], kind: 'state' });
    }
    if (ctx.reachDone || (ctx.violations.length > 0 && !ctx.all)) stop = true;

    // The arena's chunks the current level is read from (the others are free when it starts).
    let levelChunks = new Set(range(0, Atomics.load(c, CTRL.CHUNKS)));
    let levelBase = 0;
    const ITEM = itemStates(model.actions.length);
    let levelSize = count0;
    let depth = 0;
    let maxDepth = 0;

    const note = (kind: number, prop: number, at: number, action: number): void => {
      const id = ids[prop] ?? '?';
      const p = links.pathTo(at);
      if (action >= 0) p.actions.push(action);
      if (kind === LOG.REACH_STATE || kind === LOG.REACH_STEP) {
        ctx.witness({ property: id, statement: statement(id), kind: kind === LOG.REACH_STATE ? 'state' : 'step', initial: p.initial, path: p.actions });
        return;
      }
      const v: Violation = { property: id, statement: statement(id), kind: kind === LOG.STATE ? 'state' : kind === LOG.STEP ? 'step' : 'deadlock', initial: p.initial, path: p.actions };
      // Within one level, entries arrive in any order: keep the shortest per property.
      const prev = ctx.violations.findIndex((x) => x.property === id);
      if (prev < 0) ctx.record(v);
      else if (ctx.violations[prev]!.path.length > v.path.length) ctx.violations[prev] = v;
    };

    const totals = (): { transitions: number } => {
      const s = new Float64Array(shared.stats);
      let transitions = 0;
      const M = ctx.metrics.length;
      for (let t = 0; t < threads; t++) {
        transitions += s[t * (1 + M)]!;
        for (let i = 0; i < M; i++) {
          const v = s[t * (1 + M) + 1 + i]!;
          if (v > ctx.metricMax[i]!) ctx.metricMax[i] = v;
        }
      }
      return { transitions };
    };
    const frontierBytes = (): number => shared.arena.byteLength + shared.freeChunks.byteLength + shared.pending.byteLength + shared.childCounts.byteLength;
    const storeBytes = (): number => table.bytes + links.bytes;

    while (levelSize > 0 && !stop) {
      // Lay out the items.
      const items: number[] = [];
      for (const sg of segments) for (let f = 0; f < sg.count; f += ITEM) items.push(sg.first + f, Math.min(ITEM, sg.count - f));
      const n = items.length / ITEM_FIELDS;
      ensureShared(shared.items, items.length * 4);
      ensureShared(shared.itemBase, n * 8);
      ensureShared(shared.results, n * RESULT_FIELDS * 4);
      ensureShared(shared.childCounts, levelSize * 4);
      new Int32Array(shared.items, 0, shared.items.byteLength >> 2).set(items);
      const bases = new Float64Array(shared.itemBase, 0, shared.itemBase.byteLength >> 3);
      for (let i = 0, b = levelBase; i < n; i++) {
        bases[i] = b;
        b += items[i * ITEM_FIELDS + 1]!;
      }
      // Free chunks: every chunk not read this level, and (appended as they are) each read one once its items are done.
      const CH = shared.chunkRecords;
      const chunks = Atomics.load(c, CTRL.CHUNKS);
      ensureShared(shared.freeChunks, chunks * 4);
      ensureShared(shared.pending, chunks * 4);
      const freeList = new Int32Array(shared.freeChunks, 0, shared.freeChunks.byteLength >> 2);
      const pending = new Int32Array(shared.pending, 0, shared.pending.byteLength >> 2);
      freeList.fill(-1);
      pending.fill(0);
      let nfree = 0;
      for (let x = 0; x < chunks; x++) if (!levelChunks.has(x)) freeList[nfree++] = x;
      for (let i = 0; i < n; i++) forChunks(items[i * ITEM_FIELDS]!, items[i * ITEM_FIELDS + 1]!, CH, (x) => pending[x]!++);
      Atomics.store(c, CTRL.FREE_COUNT, nfree);
      Atomics.store(c, CTRL.FREE_TAKE, 0);
      const atBound = depth >= ctx.maxDepth;
      Atomics.store(c, CTRL.ITEMS, n);
      Atomics.store(c, CTRL.CLAIM, 0);
      Atomics.store(c, CTRL.FINISHED, 0);
      Atomics.store(c, CTRL.AT_BOUND, atBound ? 1 : 0);
      Atomics.store(c, CTRL.NEW_COUNT, 0);
      Atomics.store(c, CTRL.MAX_NEW, Number.isFinite(ctx.maxStates) ? Math.max(0, Math.min(0x7fffffff, ctx.maxStates - links.size)) : -1);
      let participants = 1;
      for (let t = 1; t < threads; t++) {
        if (Atomics.load(c, CTRL.READY + t) === 1) {
          Atomics.store(c, CTRL.PARTICIPANT + t, depth);
          participants++;
          startupSeconds ??= (performance.now() - boot) / 1000;
        }
      }
      me.startLevel();
      Atomics.store(c, CTRL.LEVEL, depth);
      bump(c);

      let sinceTick = 0;
      me.runItems(() => {
        if (++sinceTick < 4) return false;
        sinceTick = 0;
        me.publish();
        return ctx.tick(links.size, totals().transitions, levelSize, depth, storeBytes(), table.nextCapacity * 8 - table.bytes, frontierBytes()) || failures.length > 0;
      });
      Atomics.add(c, CTRL.FINISHED, 1);
      bump(c);
      // Wait for the others (letting the event loop see a worker that died).
      while (Atomics.load(c, CTRL.FINISHED) < participants) {
        if (Atomics.load(c, CTRL.ERROR) !== 0) throw new Error(`search worker failed: ${errorText()}`);
        if (failures.length > 0) throw new Error(`search worker failed: ${failures[0]}`);
        const ev = Atomics.load(c, CTRL.EVENT);
        if (Atomics.load(c, CTRL.FINISHED) >= participants) break;
        const r = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<string> | string } }).waitAsync(c, CTRL.EVENT, ev, 20);
        if (r.async) await r.value;
      }
      if (Atomics.load(c, CTRL.ERROR) !== 0) throw new Error(`search worker failed: ${errorText()}`);

      // What the level found (any order): violations and witnesses, shortest kept.
      const logN = Atomics.load(c, CTRL.LOG_COUNT);
      const log = new Float64Array(shared.log);
      for (let e = 0; e < logN; e++) note(log[e * LOG_FIELDS]!, log[e * LOG_FIELDS + 1]!, log[e * LOG_FIELDS + 2]!, log[e * LOG_FIELDS + 3]!);
      Atomics.store(c, CTRL.LOG_COUNT, 0);
      if (Atomics.load(c, CTRL.TRUNCATED) === 1) truncated = true;
      const stopped = Atomics.load(c, CTRL.STOP) === 1;
      if (Atomics.load(c, CTRL.FULL) === 1) {
        ctx.bound = 'max-states';
        stop = true;
      }
      if (stopped || stop) {
        // Cut short (a bound, an interrupt): the next level is not assembled.
        const added = Math.min(Atomics.load(c, CTRL.NEW_COUNT), Math.max(0, Atomics.load(c, CTRL.MAX_NEW)));
        const extra = Atomics.load(c, CTRL.MAX_NEW) >= 0 ? added : 0;
        return finish(false, maxDepth, extra);
      }

      // Assemble the next level in item order: links, then the runs it is read from.
      const results = new Int32Array(shared.results, 0, shared.results.byteLength >> 2);
      const counts = u32(shared.childCounts);
      const v = u32(shared.arena);
      const next: typeof segments = [];
      // The next level is read from the chunks this one wrote.
      levelChunks = new Set();
      const wrote = (x: number): void => void levelChunks.add(x);
      let p = 0;
      let added = 0;
      for (let i = 0; i < n; i++) {
        const q = i * RESULT_FIELDS;
        const run1 = results[q]!;
        const count1 = results[q + 1]!;
        const run2 = results[q + 2]!;
        let j = 0;
        const parents = items[i * ITEM_FIELDS + 1]!;
        for (let e = 0; e < parents; e++, p++) {
          const k = counts[p]!;
          for (let m = 0; m < k; m++, j++) links.pushChild(v[(j < count1 ? run1 + j : run2 + j - count1) * R + W]!);
          links.endParent();
        }
        const count2 = results[q + 3]!;
        addRun(next, run1, count1);
        addRun(next, run2, count2);
        if (count1 > 0) forChunks(run1, count1, CH, wrote);
        if (count2 > 0) forChunks(run2, count2, CH, wrote);
        added += j;
      }
      peakFrontier = Math.max(peakFrontier, levelSize + added);
      peakFrontierBytes = Math.max(peakFrontierBytes, frontierBytes());
      if (added > 0) maxDepth = depth + 1;
      // Violations found in this level are as short as any still to be found.
      if ((ctx.violations.length > 0 && !ctx.all) || ctx.reachDone) stop = true;
      levelBase += levelSize;
      levelSize = added;
      segments = next;
      depth++;
    }
    return finish(levelSize === 0 && !stop, maxDepth, 0);

    function finish(exhausted: boolean, depthReached: number, extraStates: number): SearchResult {
      if (truncated && ctx.bound === undefined) ctx.bound = 'max-depth';
      const { transitions } = totals();
      void me.sink;
      return ctx.finish({
        ...(startupSeconds !== undefined ? { startupSeconds } : {}),
        states: links.size + extraStates,
        transitions,
        depth: depthReached,
        peakFrontier,
        storeBytes: storeBytes(),
        exhausted,
        frontierBytes: Math.max(peakFrontierBytes, frontierBytes()),
      });
    }
  }

  function range(from: number, to: number): number[] {
    return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  }

  function errorText(): string {
    const bytes = new Uint8Array(shared.error);
    const end = bytes.indexOf(0);
    return new TextDecoder().decode(bytes.slice(0, end < 0 ? bytes.length : end));
  }
}
