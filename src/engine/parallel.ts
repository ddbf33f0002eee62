/**
 * Level-synchronous parallel breadth-first search on worker threads
 * (workerpool). The visited set, the frontier of the current and the next
 * level, and the parent links live in SharedArrayBuffers; workers expand
 * chunks of the current level and insert successors with compare-and-swap.
 * Between chunks the main thread grows the shared arrays when the worst case
 * of the chunks in flight could overflow them, checks the bounds and prints
 * progress. Levels are barriers, so violations keep their shortest lengths
 * and state counts equal the sequential search's.
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';
import { SearchContext } from './context.ts';
import type { Model } from './model.ts';
import type { ExpandResult, ExpandTask, ModelJob, WorkerSearchOptions } from './parallel-protocol.ts';
import type { SearchOptions, SearchResult, Violation } from './result.ts';
import { newSharedTable, sharedInsert, sharedKey, type SharedTable } from './shared-table.ts';
import { NO_PARENT } from './visited.ts';

const WORKER = fileURLToPath(new URL('./parallel-worker.mjs', import.meta.url));
let searches = 0;

export function defaultWorkers(): number {
  return Math.max(1, cpus().length);
}

function sharedU32(n: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
}

function growU32(a: Uint32Array, n: number): Uint32Array {
  const b = sharedU32(n);
  b.set(a);
  return b;
}

/**
 * Searches `model` (built by the caller from `job`, identically to the
 * workers) with `workers` threads. Only breadth-first search is parallel.
 */
export async function parallelBfs(model: Model, job: ModelJob, options: SearchOptions & { workers: number }): Promise<SearchResult> {
  const boot = performance.now();
  const W = model.stateWords;
  const A = model.actions.length;
  const workers = Math.max(1, options.workers);
  const pool = workerpool.pool(WORKER, { workerType: 'thread', maxWorkers: workers, minWorkers: workers });
  const searchId = ++searches;
  const dl = model.deadlock?.id ?? 'deadlock';
  const wopts: WorkerSearchOptions = {
    symmetry: options.symmetry ?? false,
    all: options.all ?? false,
    checkDeadlock: (options.checkDeadlock ?? true) && !(options.skip ?? []).includes(dl),
    skip: [...(options.skip ?? [])],
  };
  // Start every worker and build the model in each before the clock starts:
  // start-up is reported apart from search time (like the peers' compile time).
  await Promise.all(Array.from({ length: workers }, () => pool.exec('warm', [searchId, job, wopts])));
  const startupSeconds = (performance.now() - boot) / 1000;
  const ctx = new SearchContext(model, options);
  const chunk = 2048;

  let table: SharedTable = newSharedTable(16);
  let tableSize = 0;
  let parents = sharedU32(1 << 16);
  let actions = sharedU32(1 << 16);
  const key = new Uint32Array(2);
  let transitions = 0;
  let stop = false;
  let truncated = false;
  let peakFrontier = 0;

  const pathTo = (id: number): { initial: number; actions: number[] } => {
    const acts: number[] = [];
    let cur = id;
    while (parents[cur] !== NO_PARENT) {
      acts.push(actions[cur]!);
      cur = parents[cur]!;
    }
    return { initial: actions[cur]!, actions: acts.reverse() };
  };
  const note = (v: Omit<Violation, 'initial' | 'path'> & { at: number; action: number }): void => {
    const p = pathTo(v.at);
    if (v.action >= 0) p.actions.push(v.action);
    // Within one level, violations arrive in any order: keep the shortest per property.
    const prev = ctx.violations.findIndex((x) => x.property === v.property);
    const viol: Violation = { property: v.property, statement: v.statement, kind: v.kind, initial: p.initial, path: p.actions };
    if (prev < 0) ctx.record(viol);
    else if (ctx.violations[prev]!.path.length > viol.path.length) ctx.violations[prev] = viol;
  };

  const noteWitness = (w: { property: string; statement: string; kind: 'state' | 'step'; at: number; action: number }): void => {
    const p = pathTo(w.at);
    if (w.action >= 0) p.actions.push(w.action);
    // Within one level, witnesses arrive in any order: ctx.witness keeps the shortest.
    ctx.witness({ property: w.property, statement: w.statement, kind: w.kind, initial: p.initial, path: p.actions });
  };

  // Level 0: the initial states, inserted by the main thread.
  const inits = model.initialStates();
  let cur = sharedU32(Math.max(1, inits.length) * W);
  let curCount = 0;
  for (let k = 0; k < inits.length; k++) {
    const s = inits[k]!;
    const fp = ctx.hash(s);
    sharedKey(fp[0]!, fp[1]!, key);
    if (!sharedInsert(table.slots, table.mask, key[0]!, key[1]!)) continue;
    tableSize++;
    cur.set(s, curCount * W);
    parents[curCount] = NO_PARENT;
    actions[curCount] = k;
    ctx.observe(s);
    if (ctx.reachStates.length > 0) ctx.reachState(s, () => ({ initial: k, actions: [] }));
    for (const c of ctx.brokenState(s)) note({ property: c.id, statement: c.statement, kind: 'state', at: curCount, action: -1 });
    curCount++;
  }
  let levelBase = 0;
  let depth = 0;
  let maxDepth = 0;
  if (ctx.violations.length > 0 && !ctx.all) stop = true;

  /** Doubles the visited set, copying it with every worker at once. */
  const growTable = async (): Promise<void> => {
    const old = table.slots;
    const cap = (table.mask + 1) * 2;
    const fresh = newSharedTable(Math.log2(cap));
    const slots = old.length / 2;
    const part = Math.ceil(slots / workers);
    const jobs: Promise<unknown>[] = [];
    for (let from = 0; from < slots; from += part) {
      jobs.push(pool.exec('rehash', [{ old, from, to: Math.min(slots, from + part), into: fresh.slots, mask: fresh.mask }]));
    }
    await Promise.all(jobs);
    table = fresh;
  };

  try {
    while (curCount > 0 && !stop) {
      const nextBase = levelBase + curCount;
      let next = sharedU32(Math.max(1024, Math.min(curCount * 4, 1 << 20)) * W);
      const nextCount = new Int32Array(new SharedArrayBuffer(4));
      const atDepthBound = depth >= ctx.maxDepth;
      const inflight = new Set<Promise<void>>();
      const queue: [number, number][] = [];
      for (let from = 0; from < curCount; from += chunk) queue.push([from, Math.min(curCount, from + chunk)]);
      let boundFull = false;
      let needRoom = false;

      const room = (): number =>
        Math.min(next.length / W, Math.floor((table.mask + 1) * 0.75) - tableSize, parents.length - nextBase);
      const merge = (r: ExpandResult, to: number): void => {
        transitions += r.transitions;
        if (r.truncated) truncated = true;
        if (r.full) boundFull = true;
        r.metrics.forEach((v, i) => {
          if (v > ctx.metricMax[i]!) ctx.metricMax[i] = v;
        });
        for (const v of r.violations) note(v);
        for (const w of r.witnesses) noteWitness(w);
        if (r.stoppedAt < to) {
          queue.unshift([r.stoppedAt, to]);
          needRoom = true;
        }
      };
      /** With nothing in flight, grows whichever shared array is short of room for another chunk. */
      const makeRoom = async (): Promise<void> => {
        const n = Atomics.load(nextCount, 0);
        const want = n + Math.max(1, A) * Math.max(chunk, workers);
        if (want > next.length / W) next = growU32(next, Math.max(next.length * 2, want * W));
        if (nextBase + want > parents.length) {
          const len = Math.max(parents.length * 2, nextBase + want);
          parents = growU32(parents, len);
          actions = growU32(actions, len);
        }
        while (tableSize + want > (table.mask + 1) * 0.75) await growTable();
        needRoom = false;
      };

      while ((queue.length > 0 || inflight.size > 0) && !stop) {
        if (needRoom || (queue.length > 0 && room() - Atomics.load(nextCount, 0) < Math.max(1, A) * workers)) {
          await Promise.all(inflight);
          await makeRoom();
        }
        while (queue.length > 0 && inflight.size < workers) {
          const [from, to] = queue.shift()!;
          const task: ExpandTask = {
            searchId,
            job,
            options: wopts,
            table: table.slots,
            mask: table.mask,
            cur,
            curBase: levelBase,
            from,
            to,
            next,
            nextCount,
            nextBase,
            parents,
            actions,
            atDepthBound,
            maxStates: Number.isFinite(ctx.maxStates) ? ctx.maxStates : -1,
            room: room(),
            margin: Math.max(1, A) * workers,
          };
          const p: Promise<void> = (pool.exec('expand', [task]) as Promise<ExpandResult>).then((r) => {
            merge(r, to);
            inflight.delete(p);
          });
          inflight.add(p);
        }
        if (inflight.size > 0) await Promise.race(inflight);
        const n = Atomics.load(nextCount, 0);
        if (ctx.tick(nextBase + n, transitions, curCount + n, depth, table.slots.byteLength + parents.byteLength * 2, table.slots.byteLength * 2)) stop = true;
      }
      await Promise.all(inflight);
      const added = Atomics.load(nextCount, 0);
      tableSize += added;
      if (added > 0) maxDepth = depth + 1;
      peakFrontier = Math.max(peakFrontier, curCount + added);
      if (boundFull) {
        ctx.bound = 'max-states';
        stop = true;
      }
      // Violations found in this level are as short as any still to be found.
      if (ctx.violations.length > 0 && !ctx.all) stop = true;
      levelBase = nextBase;
      cur = next;
      curCount = added;
      depth++;
    }
  } finally {
    await pool.terminate();
  }
  if (truncated && ctx.bound === undefined) ctx.bound = 'max-depth';
  const states = levelBase + curCount;
  return ctx.finish({
    startupSeconds,
    states: Math.min(states, Number.isFinite(ctx.maxStates) ? Math.max(ctx.maxStates, 0) : states),
    transitions,
    depth: maxDepth,
    peakFrontier,
    storeBytes: table.slots.byteLength + parents.byteLength + actions.byteLength,
    exhausted: curCount === 0 && !stop,
  });
}
