/**
 * Depth-first search with an explicit stack of packed states. Reaches the
 * same set of states as BFS (the engine tests assert equal counts), uses a
 * frontier proportional to the depth, but its traces are not shortest.
 */
import { SearchContext } from './context.ts';
import type { Model } from './model.ts';
import type { SearchOptions, SearchResult } from './result.ts';
import { newVisitedSet, NO_PARENT, ParentLinks } from './visited.ts';

const TICK = 1024;

export function dfs(model: Model, options: SearchOptions = {}): SearchResult {
  const ctx = new SearchContext(model, options);
  const W = ctx.words;
  const A = ctx.actionCount;
  const visited = newVisitedSet(ctx.lanes);
  const links = new ParentLinks(A);
  const storeBytes = (): number => visited.bytes + links.bytes;

  // Stack frames: the state, its discovery number, the next action to try,
  // and how many actions were enabled so far (for deadlock detection).
  let cap = 1024;
  let states = new Uint32Array(cap * W);
  let ids = new Uint32Array(cap);
  let nextAction = new Int32Array(cap);
  let enabledCount = new Int32Array(cap);
  let sp = 0;
  let peak = 0;
  const next = new Uint32Array(W);
  const cur = new Uint32Array(W);

  const push = (s: Uint32Array, id: number): void => {
    if (sp === cap) {
      cap *= 2;
      const ns = new Uint32Array(cap * W);
      ns.set(states);
      states = ns;
      const ni = new Uint32Array(cap);
      ni.set(ids);
      ids = ni;
      const na = new Int32Array(cap);
      na.set(nextAction);
      nextAction = na;
      const ne = new Int32Array(cap);
      ne.set(enabledCount);
      enabledCount = ne;
    }
    for (let i = 0; i < W; i++) states[sp * W + i] = s[i]!;
    ids[sp] = id;
    nextAction[sp] = 0;
    enabledCount[sp] = 0;
    sp++;
    if (sp > peak) peak = sp;
  };

  let transitions = 0;
  let maxDepth = 0;
  let stop = false;
  let truncated = false;
  let sinceTick = 0;

  const initials = model.initialStates();
  for (let k = 0; k < initials.length && !stop; k++) {
    const s = initials[k]!;
    const fp = ctx.hash(s);
    if (!visited.add(fp, 0)) continue;
    const id = links.push(NO_PARENT, k);
    ctx.observe(s);
    if (ctx.reachStates.length > 0) ctx.reachState(s, () => ({ initial: k, actions: [] }));
    if (ctx.reachDone) {
      stop = true;
      break;
    }
    const broken = ctx.brokenState(s);
    if (broken.length > 0 && ctx.recordAll(broken, k, [], 'state')) {
      stop = true;
      break;
    }
    push(s, id);

    while (sp > 0 && !stop) {
      const top = sp - 1;
      const depth = top; // steps from the initial state
      for (let i = 0; i < W; i++) cur[i] = states[top * W + i]!;
      let a = nextAction[top]!;
      let pushed = false;
      for (; a < A; a++) {
        if (!model.step(cur, a, next)) continue;
        enabledCount[top]!++;
        const atBound = depth >= ctx.maxDepth;
        transitions++;
        if (ctx.stepChecks.length > 0) {
          const bad = ctx.brokenStep(cur, a, next);
          if (bad.length > 0) {
            const p = links.pathTo(ids[top]!);
            p.actions.push(a);
            if (ctx.recordAll(bad, p.initial, p.actions, 'step')) {
              stop = true;
              break;
            }
          }
        }
        if (ctx.reachSteps.length > 0) {
          const from = ids[top]!;
          ctx.reachStep(cur, a, next, () => {
            const p = links.pathTo(from);
            p.actions.push(a);
            return p;
          });
          if (ctx.reachDone) {
            stop = true;
            break;
          }
        }
        const f = ctx.hash(next);
        if (atBound) {
          // Checked above, but not explored: note whether something new was left out.
          if (!visited.has(f, 0)) truncated = true;
          continue;
        }
        if (!visited.add(f, 0)) continue;
        if (links.size >= ctx.maxStates) {
          ctx.bound = 'max-states';
          stop = true;
          break;
        }
        const id = links.push(ids[top]!, a);
        ctx.observe(next);
        if (ctx.reachStates.length > 0) {
          ctx.reachState(next, () => links.pathTo(id));
          if (ctx.reachDone) {
            stop = true;
            break;
          }
        }
        const broken = ctx.brokenState(next);
        if (broken.length > 0) {
          const p = links.pathTo(id);
          if (ctx.recordAll(broken, p.initial, p.actions, 'state')) {
            stop = true;
            break;
          }
        }
        nextAction[top] = a + 1;
        push(next, id);
        if (depth + 1 > maxDepth) maxDepth = depth + 1;
        pushed = true;
        break;
      }
      if (stop || pushed) {
        if (!stop && ++sinceTick === TICK) {
          sinceTick = 0;
          if (ctx.tick(links.size, transitions, sp, sp, storeBytes(), visited.nextGrowthBytes)) stop = true;
        }
        continue;
      }
      // All actions of the top state tried.
      if (enabledCount[top] === 0 && ctx.checkDeadlock && !model.isFinal(cur)) {
        const p = links.pathTo(ids[top]!);
        if (ctx.record({ property: ctx.deadlockId, statement: ctx.deadlockStatement, initial: p.initial, path: p.actions, kind: 'deadlock' })) {
          stop = true;
        }
      }
      sp--;
    }
  }
  if (truncated && ctx.bound === undefined) ctx.bound = 'max-depth';
  return ctx.finish({
    states: links.size,
    transitions,
    depth: maxDepth,
    peakFrontier: peak,
    storeBytes: storeBytes(),
    exhausted: !stop,
  });
}
