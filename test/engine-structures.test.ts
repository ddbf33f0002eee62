/**
 * Every new search structure against the naive reference explorer, on
 * random transition systems: the batched probes (many, repeated successors
 * per state), the frontier spilled to disk (a memory share of a few states),
 * and 128-bit fingerprints. Each must give exactly the reference's states,
 * transitions, depth, verdict and shortest lengths, and traces that replay.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from '../src/engine/check.ts';
import { lastState, replay } from '../src/engine/replay.ts';
import type { SearchOptions, SearchResult } from '../src/engine/result.ts';
import { graphModel } from './graph-model.ts';
import { explore, type Graph } from './reference-explorer.ts';

/** Random graphs; `fanOut` up to 12 edges a node, often to the same node (duplicates within one batch). */
function graphs(maxNodes: number, fanOut: number): fc.Arbitrary<Graph> {
  return fc.integer({ min: 1, max: maxNodes }).chain((n) => {
    const node = fc.integer({ min: 0, max: n - 1 });
    const sparse = fc.uniqueArray(node, { maxLength: Math.max(1, Math.floor(n / 6)) });
    const out = fc.oneof(fc.array(node, { maxLength: fanOut }), node.chain((v) => fc.array(fc.constantFrom(v, (v + 1) % n), { maxLength: fanOut })));
    return fc.record({
      n: fc.constant(n),
      initial: fc.uniqueArray(node, { minLength: 1, maxLength: 3 }),
      edges: fc.array(out, { minLength: n, maxLength: n }),
      badState: fc.array(sparse.map((a) => new Set(a)), { maxLength: 2 }),
      badStepRaw: fc.array(fc.uniqueArray(fc.tuple(node, fc.integer({ min: 0, max: fanOut - 1 })), { maxLength: 3 }), { maxLength: 2 }),
      final: sparse.map((a) => new Set(a)),
    }).map(({ badStepRaw, ...g }) => ({ ...g, badStep: badStepRaw.map((pairs) => new Set(pairs.map(([u, k]) => `${u}->${k}`))) }));
  });
}

function replays(g: Graph, r: SearchResult): boolean {
  const model = graphModel(g);
  return r.violations.every((v) => {
    const end = lastState(replay(model, v.initial, v.path))[0]!;
    if (v.kind === 'deadlock') return g.edges[end]!.length === 0 && !g.final.has(end);
    if (v.kind === 'state') return g.badState[Number(v.property.slice(1))]!.has(end);
    return true; // step violations: the replay itself checks the path exists
  });
}

function sameAsReference(g: Graph, options: SearchOptions): SearchResult {
  const ref = explore(g);
  const r = check(graphModel(g), { all: true, ...options });
  expect(r.stats.states).toBe(ref.reachable.size);
  expect(r.stats.transitions).toBe(ref.transitions);
  expect(r.stats.depth).toBe(ref.maxDepth);
  expect(r.complete).toBe(true);
  expect(new Map(r.violations.map((v) => [v.property, v.path.length]))).toEqual(ref.shortest);
  expect(replays(g, r)).toBe(true);
  // Stop at the first violation: a shortest one.
  const first = check(graphModel(g), options);
  if (ref.shortest.size > 0) expect(first.violations[0]!.path.length).toBe(Math.min(...ref.shortest.values()));
  else expect(first.verdict).toBe('holds');
  return r;
}

describe('new search structures vs the reference explorer (fast-check)', () => {
  it('batched probes: many and repeated successors per state', () => {
    fc.assert(fc.property(graphs(40, 12), (g) => void sameAsReference(g, {})), { numRuns: 300 });
  });

  it('spilled frontier: a memory share of two states spills every level to disk, same results; files deleted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlbcheck-spill-'));
    let spilled = 0;
    try {
      fc.assert(
        fc.property(graphs(60, 6), (g) => {
          const r = sameAsReference(g, { frontierMemoryBytes: 8, spillDir: dir });
          spilled += r.stats.spilledStates ?? 0;
        }),
        { numRuns: 300 },
      );
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The property is only worth something if the frontier did go to disk.
    expect(spilled).toBeGreaterThan(1000);
  });

  it('enabling masks (Model.candidates): the same results and the very same traces as trying every action', () => {
    fc.assert(
      fc.property(graphs(40, 8), fc.integer({ min: 0, max: 1 << 20 }), (g, seed) => {
        const plain = graphModel(g);
        const masked = {
          ...plain,
          // Every enabled action (the node's out-edges) plus a few disabled ones, in increasing order.
          candidates(st: Uint32Array, out: Int32Array): number {
            const u = st[0]!;
            let n = 0;
            for (let a = 0; a < plain.actions.length; a++) if (a < g.edges[u]!.length || ((u * 31 + a + seed) & 3) === 0) out[n++] = a;
            return n;
          },
        };
        const a = check(plain, { all: true });
        const b = check(masked, { all: true });
        expect(b.stats.states).toBe(a.stats.states);
        expect(b.stats.transitions).toBe(a.stats.transitions);
        expect(b.violations).toEqual(a.violations);
        expect(check(masked, {}).violations).toEqual(check(plain, {}).violations);
      }),
      { numRuns: 300 },
    );
  });

  it('128-bit fingerprints: same results', () => {
    fc.assert(
      fc.property(graphs(40, 6), (g) => {
        const r = sameAsReference(g, { fingerprintBits: 128 });
        expect(r.stats.fingerprintBits).toBe(128);
        const dfs = check(graphModel(g), { all: true, strategy: 'dfs', fingerprintBits: 128 });
        expect(dfs.stats.states).toBe(r.stats.states);
      }),
      { numRuns: 200 },
    );
  });
});
