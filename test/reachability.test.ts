/**
 * Reachability ("sometimes") properties: found with a shortest witness by
 * breadth-first search (sequential and parallel), found by DFS and by
 * simulation, and "unreachable" only after a complete search; compared with
 * the naive reference explorer on random transition systems.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/check.ts';
import { parallelBfs } from '../src/engine/parallel.ts';
import { lastState, replay } from '../src/engine/replay.ts';
import { simulate } from '../src/engine/simulate.ts';
import type { Model } from '../src/engine/model.ts';
import { peterson } from '../models/examples/peterson.ts';
import { MODEL_REGISTRY } from '../models/index.ts';
import { graphModel } from './graph-model.ts';
import { explore, type Graph } from './reference-explorer.ts';
import { tlbcheck } from './cli-helpers.ts';

describe('peterson: the invariant is not vacuous', () => {
  const m = peterson();
  it('BFS: p0-critical in exactly 3 steps, the step property in 5, both-critical unreachable; the verdict is unchanged', () => {
    const r = check(m);
    expect(r.verdict).toBe('holds');
    expect(r.complete).toBe(true);
    expect(r.witnesses.map((w) => [w.property, w.path.length, w.kind])).toEqual([
      ['p0-critical', 3, 'state'],
      ['p1-enters-while-p0-waits', 5, 'step'],
    ]);
    expect(r.unreached).toEqual(['both-critical']);
    const w = r.witnesses[0]!;
    expect(lastState(replay(m, w.initial, w.path))[0]).toBe(3);
  });

  it('DFS reaches the same ones (not necessarily by shortest paths)', () => {
    const r = check(m, { strategy: 'dfs' });
    expect(r.witnesses.map((w) => w.property).sort()).toEqual(['p0-critical', 'p1-enters-while-p0-waits']);
    expect(r.unreached).toEqual(['both-critical']);
  });

  it('the parallel search gives the same shortest witnesses', async () => {
    const r = await parallelBfs(m, { registry: MODEL_REGISTRY, model: 'peterson', params: {} }, { workers: 2 });
    expect(r.witnesses.map((w) => [w.property, w.path.length])).toEqual([
      ['p0-critical', 3],
      ['p1-enters-while-p0-waits', 5],
    ]);
    expect(r.unreached).toEqual(['both-critical']);
  });

  it('simulation reaches p0-critical and, proving nothing, leaves both-critical unknown', () => {
    const r = simulate(m, { seed: '1', runs: 50, depth: 30 });
    expect(r.witnesses.map((w) => w.property)).toContain('p0-critical');
    expect(r.unreached).toContain('both-critical');
  });

  it('a search cut short reports what it has not reached as unknown, not unreachable', () => {
    const r = check(m, { maxDepth: 2 });
    expect(r.complete).toBe(false);
    expect(r.unreached).toEqual(expect.arrayContaining(['p0-critical', 'both-critical']));
    const doc = JSON.parse(tlbcheck('check', 'peterson', '--max-depth', '2', '--json').stdout);
    expect(doc.reachability.find((p: { property: string }) => p.property === 'both-critical').status).toBe('unknown');
  });

  it('--skip leaves a reachability property out; the CLI reports one line per property, exit 0', () => {
    expect(check(m, { skip: ['p0-critical'] }).witnesses.map((w) => w.property)).toEqual(['p1-enters-while-p0-waits']);
    const r = tlbcheck('check', 'peterson');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sometimes   p0-critical: reached in 3 steps');
    expect(r.stdout).toContain('sometimes   both-critical: UNREACHABLE');
    const doc = JSON.parse(tlbcheck('check', 'peterson', '--json', '--workers', '2').stdout);
    expect(doc.reachability).toEqual([
      { property: 'p0-critical', statement: 'process 0 is in its critical section', status: 'reached', length: 3 },
      { property: 'p1-enters-while-p0-waits', statement: 'process 1 enters while process 0 waits at the gate', status: 'reached', length: 5 },
      { property: 'both-critical', statement: 'both processes are in their critical sections', status: 'unreachable', length: null },
    ]);
    expect(doc.witnesses[0].trace.map((s: { label: string }) => s.label)).toEqual(['setFlag(0)', 'setTurn(0)', 'enter(0)']);
  });

  it('the examples suite pins the witness lengths (a difference is a mismatch)', () => {
    const r = tlbcheck('matrix', '--suite', 'examples', '--only', 'peterson', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).rows[0].reach).toEqual({ 'p0-critical': 3, 'p1-enters-while-p0-waits': 5, 'both-critical': null });
  });
});

const graphArb: fc.Arbitrary<Graph> = fc.integer({ min: 1, max: 24 }).chain((n) => {
  const node = fc.integer({ min: 0, max: n - 1 });
  const sparse = fc.uniqueArray(node, { maxLength: Math.max(1, Math.floor(n / 4)) });
  return fc
    .record({
      n: fc.constant(n),
      initial: fc.uniqueArray(node, { minLength: 1, maxLength: 3 }),
      edges: fc.array(fc.array(node, { maxLength: 4 }), { minLength: n, maxLength: n }),
      badState: fc.array(sparse.map((a) => new Set(a)), { maxLength: 2 }),
      badStepRaw: fc.array(fc.uniqueArray(fc.tuple(node, fc.integer({ min: 0, max: 3 })), { maxLength: 3 }), { maxLength: 2 }),
      final: sparse.map((a) => new Set(a)),
    })
    .map(({ badStepRaw, ...g }) => ({ ...g, badStep: badStepRaw.map((pairs) => new Set(pairs.map(([u, k]) => `${u}->${k}`))) }));
});

/** The graph's "bad" sets as reachability targets instead of invariants. */
function targets(g: Graph): Model {
  const m = graphModel(g);
  return {
    ...m,
    invariants: [],
    sometimes: m.invariants.map((i) => ({
      id: i.id,
      statement: i.statement,
      ...(i.holds ? { reached: (s: Uint32Array) => !i.holds!(s) } : {}),
      ...(i.holdsOnStep ? { reachedOnStep: (s: Uint32Array, a: number, t: Uint32Array) => !i.holdsOnStep!(s, a, t) } : {}),
    })),
  };
}

describe('reachability vs the reference explorer (fast-check)', () => {
  it('BFS: a witness exactly as short as the reference shortest path, "unreached" exactly when none exists', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const ref = explore(g);
        const r = check(targets(g), { checkDeadlock: false });
        expect(r.complete).toBe(true);
        const ids = [...g.badState.map((_, p) => `s${p}`), ...g.badStep.map((_, p) => `t${p}`)];
        for (const id of ids) {
          const w = r.witnesses.find((x) => x.property === id);
          expect(w?.path.length, id).toBe(ref.shortest.get(id));
          expect(r.unreached.includes(id)).toBe(!ref.shortest.has(id));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('DFS reaches exactly the same properties', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const a = check(targets(g), { checkDeadlock: false });
        const b = check(targets(g), { checkDeadlock: false, strategy: 'dfs' });
        expect(b.witnesses.map((w) => w.property).sort()).toEqual(a.witnesses.map((w) => w.property).sort());
      }),
      { numRuns: 200 },
    );
  });
});
