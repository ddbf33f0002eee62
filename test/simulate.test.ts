/** Seeded simulation: reproducible, finds real violations, never claims a proof. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loopErase, simulate } from '../src/engine/simulate.ts';
import { replay, lastState } from '../src/engine/replay.ts';
import { philosophers } from '../models/examples/philosophers.ts';
import { tlbFactory } from '../models/tlb/index.ts';
import { TLB_PARAMS } from '../models/tlb/config.ts';
import { peterson } from '../models/examples/peterson.ts';
import { tlbcheck } from './cli-helpers.ts';

const defaults = Object.fromEntries(TLB_PARAMS.map((p) => [p.name, p.default]));

describe('simulate', () => {
  const big = tlbFactory.create({ ...defaults, backend: 'x86-2.6.38', cpus: 5, pages: 3, gup: 2, tlb: 'broadcast' });

  it('the same seed gives the same result; another seed may not', () => {
    const a = simulate(big, { seed: 's', runs: 500, depth: 200 });
    const b = simulate(big, { seed: 's', runs: 500, depth: 200 });
    expect(a.verdict).toBe('violated');
    expect(b.run).toBe(a.run);
    expect(b.runSeed).toBe(a.runSeed);
    expect(b.violation).toEqual(a.violation);
    expect(b.steps).toBe(a.steps);
  });

  it('what it reports replays to a real violation', () => {
    const r = simulate(big, { seed: 'replay', runs: 500, depth: 200, swarm: true });
    expect(r.verdict).toBe('violated');
    const v = r.violation!;
    const rp = replay(big, v.initial, v.path);
    const inv = big.invariants.find((i) => i.id === v.property)!;
    const before = v.path.length >= 2 ? rp.steps[v.path.length - 2]!.state : rp.initial;
    expect(inv.holdsOnStep!(before, v.path.at(-1)!, lastState(rp))).toBe(false);
  });

  it('finds the philosophers deadlock', () => {
    const r = simulate(philosophers(4), { seed: '1', runs: 200, depth: 50 });
    expect(r.violation?.property).toBe('deadlock');
  });

  it('on a correct model it ends incomplete, never holds', () => {
    const r = simulate(peterson(), { seed: '1', runs: 50, depth: 30 });
    expect(r.verdict).toBe('incomplete');
    expect(r.distinctStates).toBeGreaterThan(10);
  });

  it('loop erasure keeps the final state and leaves no repeated state (fast-check)', () => {
    const m = philosophers(4);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 8 }), (seed) => {
        // A random walk to the deadlock, with its detours.
        const d = simulate(m, { seed, runs: 50, depth: 60 });
        if (!d.violation) return;
        const erased = loopErase(m, d.violation.initial, d.violation.path);
        const end = lastState(replay(m, d.violation.initial, d.violation.path));
        const end2 = lastState(replay(m, d.violation.initial, erased));
        expect(Array.from(end2)).toEqual(Array.from(end));
        const rp = replay(m, d.violation.initial, erased);
        const keys = [rp.initial, ...rp.steps.map((s) => s.state)].map((s) => s.join(','));
        expect(new Set(keys).size).toBe(keys.length);
      }),
      { numRuns: 30 },
    );
  });

  it('CLI: a violation exits 1 with its seed and a minimized trace; nothing found exits 3 and says it proves nothing', () => {
    const r = tlbcheck('simulate', 'tlb', '--backend', 'x86-2.6.38', '--cpus', '4', '--pages', '2', '--gup', '1', '--tlb', 'broadcast', '--seed', '7', '--runs', '300');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/found by run \d+ \(seed "7:\d+"/);
    expect(r.stdout).toContain('minimized by:');
    const ok = tlbcheck('simulate', 'tlb', '--backend', 'x86-2.6.38', '--gup', '1', '--runs', '50', '--seed', '1');
    expect(ok.code).toBe(3);
    expect(ok.stdout).toContain('finding nothing proves nothing');
  });
});
