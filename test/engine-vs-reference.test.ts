/**
 * The engine against the naive reference explorer on random finite
 * transition systems: same reachable states and transitions, same verdict,
 * BFS counterexamples exactly as short as the reference's shortest path, and
 * every emitted trace replays to a violation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/check.ts';
import { lastState, replay } from '../src/engine/replay.ts';
import type { SearchResult, Violation } from '../src/engine/result.ts';
import { graphModel } from './graph-model.ts';
import { explore, type Graph } from './reference-explorer.ts';

const graphArb: fc.Arbitrary<Graph> = fc.integer({ min: 1, max: 24 }).chain((n) => {
  const node = fc.integer({ min: 0, max: n - 1 });
  const sparse = fc.uniqueArray(node, { maxLength: Math.max(1, Math.floor(n / 4)) });
  return fc.record({
    n: fc.constant(n),
    initial: fc.uniqueArray(node, { minLength: 1, maxLength: 3 }),
    edges: fc.array(fc.array(node, { maxLength: 4 }), { minLength: n, maxLength: n }),
    badState: fc.array(sparse.map((a) => new Set(a)), { maxLength: 2 }),
    badStepRaw: fc.array(fc.uniqueArray(fc.tuple(node, fc.integer({ min: 0, max: 3 })), { maxLength: 3 }), { maxLength: 2 }),
    final: sparse.map((a) => new Set(a)),
  }).map(({ badStepRaw, ...g }) => ({
    ...g,
    badStep: badStepRaw.map((pairs) => new Set(pairs.map(([u, k]) => `${u}->${k}`))),
  }));
});

function violates(g: Graph, v: Violation): boolean {
  const model = graphModel(g);
  const r = replay(model, v.initial, v.path);
  const end = lastState(r)[0]!;
  if (v.kind === 'deadlock') return g.edges[end]!.length === 0 && !g.final.has(end);
  if (v.kind === 'state') return g.badState[Number(v.property.slice(1))]!.has(end);
  const before = v.path.length >= 2 ? r.steps[v.path.length - 2]!.state[0]! : r.initial[0]!;
  return g.badStep[Number(v.property.slice(1))]!.has(`${before}->${v.path[v.path.length - 1]!}`);
}

function lengths(r: SearchResult): Map<string, number> {
  return new Map(r.violations.map((v) => [v.property, v.path.length]));
}

describe('engine vs reference explorer (fast-check)', () => {
  it('BFS --all: same states, transitions, violated properties and shortest lengths', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const ref = explore(g);
        const r = check(graphModel(g), { all: true });
        expect(r.stats.states).toBe(ref.reachable.size);
        expect(r.stats.transitions).toBe(ref.transitions);
        expect(r.stats.depth).toBe(ref.maxDepth);
        expect(r.complete).toBe(true);
        expect(lengths(r)).toEqual(ref.shortest);
        expect(r.verdict).toBe(ref.shortest.size > 0 ? 'violated' : 'holds');
        for (const v of r.violations) expect(violates(g, v)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('BFS stop-at-first: the violation reported is a shortest one overall', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const ref = explore(g);
        const r = check(graphModel(g));
        if (ref.shortest.size === 0) {
          expect(r.verdict).toBe('holds');
          return;
        }
        expect(r.verdict).toBe('violated');
        const best = Math.min(...ref.shortest.values());
        expect(r.violations[0]!.path.length).toBe(best);
        for (const v of r.violations) {
          expect(violates(g, v)).toBe(true);
          expect(v.path.length).toBe(ref.shortest.get(v.property));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('DFS --all: same reachable set and the same properties violated; traces replay', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const ref = explore(g);
        const r = check(graphModel(g), { all: true, strategy: 'dfs' });
        expect(r.stats.states).toBe(ref.reachable.size);
        expect(r.stats.transitions).toBe(ref.transitions);
        expect(new Set(r.violations.map((v) => v.property))).toEqual(new Set(ref.shortest.keys()));
        for (const v of r.violations) {
          expect(violates(g, v)).toBe(true);
          expect(v.path.length).toBeGreaterThanOrEqual(ref.shortest.get(v.property)!);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('bounds never yield holds: a depth bound below the graph depth is incomplete', () => {
    fc.assert(
      fc.property(graphArb, fc.integer({ min: 0, max: 5 }), (g, bound) => {
        const ref = explore(g);
        const r = check(graphModel(g), { all: true, maxDepth: bound, checkDeadlock: false });
        if (ref.maxDepth > bound) {
          expect(r.verdict === 'incomplete' || r.verdict === 'violated').toBe(true);
          expect(r.complete).toBe(false);
        } else {
          expect(r.stats.states).toBe(ref.reachable.size);
        }
      }),
      { numRuns: 200 },
    );
  });
});
