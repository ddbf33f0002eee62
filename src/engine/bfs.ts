/**
 * Breadth-first search: the default, because the first violation it meets
 * has a shortest trace. States are numbered in discovery order, which is
 * also queue order, so the queue head's number is known without storing it,
 * and the parent links are a compact tree (BfsLinks, about a byte a state).
 *
 * A state is expanded in passes: every enabled action's successor is
 * generated and hashed; then the home slots of all of them in the visited
 * set are touched in one tight loop (independent loads with nothing between
 * them, so their cache misses overlap; touching each right after its hash
 * left a hash's worth of work between misses and overlapped few); then the
 * successors are taken in action order, exactly as one pass would.
 */
import { SearchContext } from './context.ts';
import type { Model } from './model.ts';
import { StateQueue } from './queue.ts';
import type { SearchOptions, SearchResult } from './result.ts';
import { BfsLinks, newVisitedSet } from './visited.ts';
import { AmpleSets } from './por.ts';

const TICK = 1024;
/** Where the batched probes' loads end up, so that they are not optimised away. */
export let touchSink = 0;

export function bfs(model: Model, options: SearchOptions = {}): SearchResult {
  const ctx = new SearchContext(model, options);
  const W = ctx.words;
  const A = ctx.actionCount;
  const L = ctx.lanes;
  const visited = newVisitedSet(L);
  const links = new BfsLinks(A);
  const frontierShare = options.frontierMemoryBytes ?? (options.maxMemoryBytes !== undefined ? options.maxMemoryBytes / 4 : Infinity);
  const queue = new StateQueue(W, { memoryBytes: frontierShare, ...(options.spillDir !== undefined ? { spillDir: options.spillDir } : {}) });
  try {
    return search(model, options, ctx, visited, links, queue, W, A, L);
  } finally {
    queue.dispose();
  }
}

function search(
  model: Model,
  options: SearchOptions,
  ctx: SearchContext,
  visited: ReturnType<typeof newVisitedSet>,
  links: BfsLinks,
  queue: StateQueue,
  W: number,
  A: number,
  L: number,
): SearchResult {
  const cur = new Uint32Array(W);
  const next = new Uint32Array(W);
  const storeBytes = (): number => visited.bytes + links.bytes;
  const done = (exhausted: boolean, depth: number, transitions: number, extra: { reducedStates?: number } = {}): SearchResult =>
    ctx.finish({
      states: links.size,
      transitions,
      depth,
      peakFrontier: queue.peak,
      storeBytes: storeBytes(),
      exhausted,
      frontierBytes: queue.peakBytes,
      spilledStates: queue.spilledStates,
      ...extra,
    });

  let transitions = 0;
  let stop = false;
  // After the first violation (without --all) only deadlocks of the current
  // level can still be shorter; finish the level checking just those.
  let draining = false;

  const initials = model.initialStates();
  for (let k = 0; k < initials.length && !stop; k++) {
    const s = initials[k]!;
    const fp = ctx.hash(s);
    if (!visited.add(fp, 0)) continue;
    links.pushInitial(k);
    queue.push(s);
    ctx.observe(s);
    if (ctx.reachStates.length > 0) ctx.reachState(s, () => ({ initial: k, actions: [] }));
    if (ctx.reachDone) stop = true;
    const broken = ctx.brokenState(s);
    if (broken.length > 0 && ctx.recordAll(broken, k, [], 'state')) {
      stop = true;
    }
  }
  if (stop) return done(false, 0, transitions);

  const por = options.partialOrder && model.independence ? new AmpleSets(model) : undefined;
  // Successors of the state being expanded, their actions and fingerprints: preallocated, reused.
  const succ = new Uint32Array(Math.max(1, A) * W);
  const pool = Array.from({ length: A }, (_, i) => succ.subarray(i * W, (i + 1) * W));
  const acts = new Int32Array(A);
  const cands = model.candidates ? new Int32Array(Math.max(1, A)) : undefined;
  const fps = new Uint32Array(Math.max(1, A) * L);
  let sink = 0;
  let reduced = 0;
  let depth = 0;
  let maxDepth = 0;
  let truncated = false;

  /** Handles one transition idx --a--> t (fingerprint at fps[f..]); returns true when the search must stop adding states. */
  const take = (idx: number, a: number, t: Uint32Array, f: number, atBound: boolean): boolean => {
    // Every transition out of an explored state is checked, at the depth bound too:
    // a violating step back into a known state would otherwise go unseen.
    transitions++;
    if (ctx.stepChecks.length > 0) {
      const bad = ctx.brokenStep(cur, a, t);
      if (bad.length > 0) {
        const p = links.pathTo(idx);
        p.actions.push(a);
        if (ctx.recordAll(bad, p.initial, p.actions, 'step')) stop = true;
      }
    }
    if (ctx.reachSteps.length > 0) {
      ctx.reachStep(cur, a, t, () => {
        const p = links.pathTo(idx);
        p.actions.push(a);
        return p;
      });
      if (ctx.reachDone) {
        stop = true;
        return true;
      }
    }
    if (atBound) {
      // Do not go deeper; only note whether something new was left out.
      if (!visited.has(fps, f)) truncated = true;
      return false;
    }
    if (!visited.add(fps, f)) return false;
    if (links.size >= ctx.maxStates) {
      ctx.bound = 'max-states';
      stop = true;
      return true;
    }
    const n = links.pushChild(a);
    if (depth + 1 > maxDepth) maxDepth = depth + 1;
    ctx.observe(t);
    if (ctx.reachStates.length > 0) {
      ctx.reachState(t, () => links.pathTo(n));
      if (ctx.reachDone) stop = true;
    }
    const broken = ctx.brokenState(t);
    if (broken.length > 0) {
      const p = links.pathTo(n);
      if (ctx.recordAll(broken, p.initial, p.actions, 'state')) stop = true;
    }
    queue.push(t);
    return false;
  };

  /** Hashes successors pool[0..n) into fps and touches their home slots (the batched probe). */
  const hashAll = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const fp = ctx.hash(pool[i]!);
      const o = i * L;
      for (let l = 0; l < L; l++) fps[o + l] = fp[l]!;
    }
    // A tight loop of loads, so that their cache misses overlap.
    for (let o = 0; o < n * L; o += L) sink ^= visited.touch(fps, o);
  };

  let head = 0; // discovery number of the state being expanded
  let levelEnd = links.size; // first state number of the next level
  let sinceTick = 0;

  while (queue.length > 0) {
    if (head === levelEnd) {
      if (draining) break;
      depth++;
      levelEnd = links.size;
      queue.nextLevel();
    }
    queue.shift(cur);
    const idx = head++;

    if (draining) {
      if (ctx.checkDeadlock && !model.isFinal(cur) && !anyEnabled(model, cur, next, A)) {
        const p = links.pathTo(idx);
        ctx.record({ property: ctx.deadlockId, statement: ctx.deadlockStatement, initial: p.initial, path: p.actions, kind: 'deadlock' });
        break;
      }
      continue;
    }

    const atBound = depth >= ctx.maxDepth;
    let enabled = 0;
    if (cands) {
      const k = model.candidates!(cur, cands);
      for (let i = 0; i < k; i++) {
        const a = cands[i]!;
        if (model.step(cur, a, pool[enabled]!)) acts[enabled++] = a;
      }
    } else {
      for (let a = 0; a < A; a++) if (model.step(cur, a, pool[enabled]!)) acts[enabled++] = a;
    }
    hashAll(enabled);
    if (por === undefined) {
      for (let i = 0; i < enabled; i++) if (take(idx, acts[i]!, pool[i]!, i * L, atBound)) break;
    } else {
      // The ample set is chosen among the enabled actions.
      let agent = atBound ? -1 : por.choose(cur, acts, enabled);
      if (agent >= 0) {
        // Proviso (C3): reduce only when every ample successor is new.
        for (let i = 0; i < enabled && agent >= 0; i++) {
          if (model.actions[acts[i]!]!.agent !== agent) continue;
          if (visited.has(fps, i * L)) agent = -1;
        }
      }
      if (agent >= 0) reduced++;
      for (let i = 0; i < enabled; i++) {
        if (agent >= 0 && model.actions[acts[i]!]!.agent !== agent) continue;
        if (take(idx, acts[i]!, pool[i]!, i * L, atBound)) break;
      }
    }
    links.endParent();
    if (enabled === 0 && ctx.checkDeadlock && !model.isFinal(cur)) {
      const p = links.pathTo(idx);
      if (ctx.record({ property: ctx.deadlockId, statement: ctx.deadlockStatement, initial: p.initial, path: p.actions, kind: 'deadlock' })) {
        // A deadlock at this level is as short as anything still to be found.
        break;
      }
    }
    if (stop) {
      if (ctx.bound !== undefined || ctx.violations.length === 0) break;
      draining = ctx.checkDeadlock;
      if (!draining) break;
      continue;
    }
    if (++sinceTick === TICK) {
      sinceTick = 0;
      if (ctx.tick(links.size, transitions, queue.length, depth, storeBytes(), visited.nextGrowthBytes, queue.bytes)) break;
    }
  }
  touchSink = sink; // keeps the touches from being optimised away
  if (truncated && ctx.bound === undefined) ctx.bound = 'max-depth';
  const exhausted = queue.length === 0 && !stop && !draining;
  return done(exhausted, maxDepth, transitions, por ? { reducedStates: reduced } : {});
}

export function anyEnabled(model: Model, s: Uint32Array, scratch: Uint32Array, actions: number): boolean {
  for (let a = 0; a < actions; a++) if (model.step(s, a, scratch)) return true;
  return false;
}
