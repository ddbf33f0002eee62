/**
 * Breadth-first search: the default, because the first violation it meets
 * has a shortest trace. States are numbered in discovery order, which is
 * also queue order, so the queue head's number is known without storing it.
 */
import { SearchContext } from './context.ts';
import type { Model } from './model.ts';
import { StateQueue } from './queue.ts';
import type { SearchOptions, SearchResult } from './result.ts';
import { FingerprintSet, NO_PARENT, ParentLinks } from './visited.ts';
import { AmpleSets } from './por.ts';

const TICK = 1024;

export function bfs(model: Model, options: SearchOptions = {}): SearchResult {
  const ctx = new SearchContext(model, options);
  const W = ctx.words;
  const A = ctx.actionCount;
  const visited = new FingerprintSet();
  const links = new ParentLinks(A);
  const queue = new StateQueue(W);
  const cur = new Uint32Array(W);
  const next = new Uint32Array(W);
  const storeBytes = (): number => visited.bytes + links.bytes;

  let transitions = 0;
  let stop = false;
  // After the first violation (without --all) only deadlocks of the current
  // level can still be shorter; finish the level checking just those.
  let draining = false;

  const initials = model.initialStates();
  for (let k = 0; k < initials.length && !stop; k++) {
    const s = initials[k]!;
    const fp = ctx.hash(s);
    if (!visited.add(fp[0]!, fp[1]!)) continue;
    links.push(NO_PARENT, k);
    queue.push(s);
    ctx.observe(s);
    if (ctx.reachStates.length > 0) ctx.reachState(s, () => ({ initial: k, actions: [] }));
    if (ctx.reachDone) stop = true;
    const broken = ctx.brokenState(s);
    if (broken.length > 0 && ctx.recordAll(broken, k, [], 'state')) {
      stop = true;
    }
  }
  if (stop) {
    return ctx.finish({ states: links.size, transitions, depth: 0, peakFrontier: queue.peak, storeBytes: storeBytes(), exhausted: false });
  }

  const por = options.partialOrder && model.independence ? new AmpleSets(model) : undefined;
  const pool = por ? Array.from({ length: A }, () => new Uint32Array(W)) : [];
  const acts = new Int32Array(A);
  let reduced = 0;
  let depth = 0;
  let maxDepth = 0;
  let truncated = false;

  /** Handles one transition idx --a--> t; returns true when the search must stop adding states. */
  const take = (idx: number, a: number, t: Uint32Array, atBound: boolean): boolean => {
    // Every transition out of an explored state is checked, at the depth bound too:
    // a violating step back into a known state would otherwise go unseen.
    if (!atBound) transitions++;
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
    const fp = ctx.hash(t);
    if (atBound) {
      // Do not go deeper; only note whether something new was left out.
      if (!visited.has(fp[0]!, fp[1]!)) truncated = true;
      return false;
    }
    if (!visited.add(fp[0]!, fp[1]!)) return false;
    if (links.size >= ctx.maxStates) {
      ctx.bound = 'max-states';
      stop = true;
      return true;
    }
    const n = links.push(idx, a);
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

  let head = 0; // discovery number of the state being expanded
  let levelEnd = links.size; // first state number of the next level
  let sinceTick = 0;

  while (queue.length > 0) {
    if (head === levelEnd) {
      if (draining) break;
      depth++;
      levelEnd = links.size;
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
    if (por === undefined) {
      for (let a = 0; a < A; a++) {
        if (!model.step(cur, a, next)) continue;
        enabled++;
        if (take(idx, a, next, atBound)) break;
      }
    } else {
      // Collect every successor first: the ample set is chosen among the enabled actions.
      for (let a = 0; a < A; a++) if (model.step(cur, a, pool[enabled]!)) acts[enabled++] = a;
      let agent = atBound ? -1 : por.choose(cur, acts, enabled);
      if (agent >= 0) {
        // Proviso (C3): reduce only when every ample successor is new.
        for (let i = 0; i < enabled && agent >= 0; i++) {
          if (model.actions[acts[i]!]!.agent !== agent) continue;
          const fp = ctx.hash(pool[i]!);
          if (visited.has(fp[0]!, fp[1]!)) agent = -1;
        }
      }
      if (agent >= 0) reduced++;
      for (let i = 0; i < enabled; i++) {
        if (agent >= 0 && model.actions[acts[i]!]!.agent !== agent) continue;
        if (take(idx, acts[i]!, pool[i]!, atBound)) break;
      }
    }
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
      if (ctx.tick(links.size, transitions, queue.length, depth, storeBytes(), visited.nextGrowthBytes)) break;
    }
  }
  if (truncated && ctx.bound === undefined) ctx.bound = 'max-depth';
  const exhausted = queue.length === 0 && !stop && !draining;
  return ctx.finish({
    states: links.size,
    transitions,
    depth: maxDepth,
    peakFrontier: queue.peak,
    storeBytes: storeBytes(),
    exhausted,
    ...(por ? { reducedStates: reduced } : {}),
  });
}

export function anyEnabled(model: Model, s: Uint32Array, scratch: Uint32Array, actions: number): boolean {
  for (let a = 0; a < actions; a++) if (model.step(s, a, scratch)) return true;
  return false;
}
