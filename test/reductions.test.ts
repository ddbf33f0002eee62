/**
 * Reductions preserve verdicts: the same configurations checked with and
 * without symmetry reduction give the same verdict and the same set of
 * violated properties, with fewer (or as many) states.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/check.ts';
import { tlbFactory } from '../models/tlb/index.ts';
import { TLB_PARAMS } from '../models/tlb/config.ts';
import { BACKENDS as ALL_BACKENDS } from '../models/tlb/arch/index.ts';
import { PATHS as ALL_PATHS } from '../models/tlb/paths.ts';

/** The 2011 backends and paths (DOMAIN.md); today's have their own rows. */
const BACKENDS = ALL_BACKENDS.filter((b) => b.kernel === '2011');
const PATHS = ALL_PATHS.filter((p) => p.listed && p.kernels.includes('2011'));
import { tlbMini } from '../models/examples/tlb-mini.ts';
import { reachableStates } from './reference-explorer.ts';
import type { TlbModel } from '../models/tlb/index.ts';

function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/**
 * Which CPUs are interchangeable, worked out from the parameters alone (not
 * from the model's own symmetry classes): CPU 0 runs the path; of the user
 * CPUs the first `accessors` run user threads, the last `gup` run gup_fast;
 * a CPU walks speculatively per --walker. CPUs with the same three roles are
 * interchangeable.
 */
function classesFromParams(p: Record<string, string | number | boolean>): number[][] {
  const cpus = p['cpus'] as number;
  const users = Array.from({ length: cpus - 1 }, (_, i) => i + 1);
  const acc = p['accessors'] === 'auto' ? users.length : (p['accessors'] as number);
  const gup = p['gup'] as number;
  const walker = p['walker'] as string;
  const by = new Map<string, number[]>();
  for (const c of users) {
    const a = users.indexOf(c) < acc;
    const g = users.indexOf(c) >= users.length - gup;
    const w = a || walker === 'all' || walker === 'others';
    const key = `${a}/${g}/${w}`;
    by.set(key, [...(by.get(key) ?? []), c]);
  }
  return [...by.values()].filter((l) => l.length > 1);
}

/** Orbits of the reachable states under every permutation of interchangeable CPUs, computed naively. */
function orbitCount(model: TlbModel, classes: number[][]): number {
  const m = model.machine;
  const keys = new Set<string>();
  const rec = (s: Uint32Array, c: number): string => Array.from(s.subarray(m.cpuBase[c]!, m.cpuBase[c]! + m.cpuWords)).join('.');
  const inCpu = new Set<number>();
  for (let c = 0; c < m.N; c++) for (let w = 0; w < m.cpuWords; w++) inCpu.add(m.cpuBase[c]! + w);
  for (const s of reachableStates(model)) {
    const words = Array.from({ length: m.N }, (_, c) => rec(s, c));
    let best: string | undefined;
    const walk = (ci: number, w: string[]): void => {
      if (ci === classes.length) {
        const k = w.join(',');
        if (best === undefined || k < best) best = k;
        return;
      }
      const cls = classes[ci]!;
      for (const perm of permutations(cls)) {
        const v = [...w];
        cls.forEach((c, i) => (v[c] = words[perm[i]!]!));
        walk(ci + 1, v);
      }
    };
    walk(0, words);
    // The non-CPU part of the state is untouched by symmetry.
    const glob = Array.from(s).filter((_, i) => !inCpu.has(i)).join(',');
    keys.add(`${glob}|${best}`);
  }
  return keys.size;
}

const defaults = Object.fromEntries(TLB_PARAMS.map((p) => [p.name, p.default]));

/** Configurations with at least two interchangeable CPUs, so symmetry has something to do. */
export const symmetricConfigArb = fc
  .record({
    backend: fc.constantFrom(...BACKENDS.map((b) => b.id)),
    path: fc.constantFrom(...PATHS.map((p) => p.id)),
    cpus: fc.integer({ min: 3, max: 4 }),
    pages: fc.integer({ min: 1, max: 2 }),
    gup: fc.integer({ min: 0, max: 3 }),
    accessors: fc.integer({ min: 0, max: 3 }),
    walker: fc.constantFrom('off', 'unmapper', 'others', 'all'),
    allocator: fc.boolean(),
    tlb: fc.constantFrom('auto', 'ipi', 'broadcast'),
    'walk-cache': fc.constantFrom('auto', 'on', 'off'),
  })
  .map((c) => {
    const users = c.cpus - 1;
    const quiet = ['exit_mmap', 'shift_arg_pages'].includes(c.path);
    // Keep each search small: 4 CPUs only with one page. CPUs of different roles mix: some run user
    // threads, some gup_fast (the last ones), some both, some neither.
    const pages = c.cpus === 4 ? 1 : c.pages;
    return { ...defaults, ...c, pages, vmas: pages, gup: quiet ? 0 : Math.min(c.gup, users), accessors: quiet ? 0 : Math.min(c.accessors, users) };
  })
  .filter((p) => tlbFactory.validate!(p) === undefined);

const outcome = (r: ReturnType<typeof check>) => ({ verdict: r.verdict, violated: r.violations.map((v) => v.property).sort() });

describe('symmetry reduction preserves verdicts (fast-check)', () => {
  it('TLB model: same verdict and violated properties with and without symmetry', () => {
    fc.assert(
      fc.property(symmetricConfigArb, (params) => {
        if ((params['gup'] as number) > 0 && params['cpus'] === 4) return;
        const m = tlbFactory.create(params);
        const off = check(m, { all: true, symmetry: false });
        const on = check(m, { all: true, symmetry: true });
        expect(outcome(on)).toEqual(outcome(off));
        expect(on.stats.states).toBeLessThanOrEqual(off.stats.states);
        // Same worst-case cost: canonicalisation keeps the unmapper's program counter.
        expect(on.metrics).toEqual(off.metrics);
      }),
      { numRuns: 40 },
    );
  });

  it('tlb-mini: symmetry divides the count, BUGGY still violates with the same shortest trace', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom('buggy', 'fixed'), (ncpu, npage, variant) => {
        const m = tlbMini({ ncpu, npage, variant: variant as 'buggy' | 'fixed', checkFree: true });
        const off = check(m, { all: true, symmetry: false });
        const on = check(m, { all: true, symmetry: true });
        expect(outcome(on)).toEqual(outcome(off));
        expect(on.violations.map((v) => v.path.length)).toEqual(off.violations.map((v) => v.path.length));
      }),
      { numRuns: 30 },
    );
  });

  it('TLB model: the reduced state count is exactly the number of orbits (naive canonicalisation)', () => {
    fc.assert(
      fc.property(symmetricConfigArb, (params) => {
        if ((params['gup'] as number) > 0 && params['cpus'] === 4) return;
        const m = tlbFactory.create(params) as TlbModel;
        let orbits: number;
        try {
          orbits = orbitCount(m, classesFromParams(params));
        } catch {
          return; // too big for the naive explorer
        }
        expect(check(m, { all: true, symmetry: true, checkDeadlock: false }).stats.states).toBe(orbits);
      }),
      { numRuns: 25 },
    );
  });

  it('the TLB model with 3 symmetric user CPUs is really reduced', () => {
    const m = tlbFactory.create({ ...defaults, backend: 'generic', cpus: 4, pages: 2 });
    const off = check(m, { symmetry: false }).stats.states;
    const on = check(m, { symmetry: true }).stats.states;
    expect(on).toBeLessThan(off / 3);
  });
});

import { counters } from '../models/examples/counters.ts';
import { philosophers } from '../models/examples/philosophers.ts';
import { brokenMutex } from '../models/examples/broken-mutex.ts';

describe('partial-order reduction preserves verdicts (fast-check)', () => {
  it('counters: the reduction collapses independent interleavings to N*K+1 states', () => {
    const full = check(counters(5, 4), { all: true });
    const red = check(counters(5, 4), { all: true, partialOrder: true });
    expect(full.stats.states).toBe(5 ** 5);
    expect(red.stats.states).toBe(5 * 4 + 1);
    expect(red.verdict).toBe('holds');
  });

  it('tlb-mini: same verdict, violated properties and deadlock verdict with and without it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom('buggy', 'fixed'), fc.boolean(), (ncpu, npage, variant, checkFree) => {
        const m = tlbMini({ ncpu, npage, variant: variant as 'buggy' | 'fixed', checkFree });
        const off = check(m, { all: true, symmetry: false });
        const on = check(m, { all: true, symmetry: false, partialOrder: true });
        expect(outcome(on)).toEqual(outcome(off));
        expect(on.stats.states).toBeLessThanOrEqual(off.stats.states);
      }),
      { numRuns: 40 },
    );
  });

  it('counters with a violation planted in a random process stay violated', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), (n, k, bad) => {
        const base = counters(n, k);
        const who = bad % n;
        const other = (who + 1) % n;
        // An order-sensitive property: process `who` must not finish while `other` has not started.
        const m = {
          ...base,
          invariants: [{ id: 'order', statement: `not (counter ${who} = K and counter ${other} = 0)`, holds: (s: Uint32Array) => !(s[who] === k && s[other] === 0) }],
          independence: { ...base.independence!, invariantReads: { order: [who, other] } },
        };
        const off = check(m, { all: true });
        const on = check(m, { all: true, partialOrder: true });
        expect(off.verdict).toBe('violated');
        expect(outcome(on)).toEqual(outcome(off));
      }),
      { numRuns: 40 },
    );
  });

  it('models without independence information are searched in full', () => {
    expect(check(philosophers(6), { all: true, partialOrder: true }).stats.states).toBe(198);
    expect(check(brokenMutex(), { partialOrder: true }).verdict).toBe('violated');
  });
});

describe('partial-order reduction on the TLB machine of today (dynamic footprints)', () => {
  const v6 = { ...defaults, backend: 'generic-6.18', cpus: 3, pages: 2, vmas: 1 };
  const cases: Record<string, string | number | boolean>[] = [
    { run: 'cpu0=munmap' },
    { run: 'cpu0=exit_mmap' },
    { run: 'cpu0=mremap', cpus: 2 },
    { run: 'cpu0=madvise_dontneed,cpu1=madvise_dontneed', without: 'nested-flush' },
    { run: 'cpu0=munmap,cpu1=madvise_dontneed', kconfig: 'MMU_GATHER_MERGE_VMAS=y', without: 'vma-detach' },
    { run: 'cpu0=mprotect,cpu1=reclaim', without: 'flush_tlb_batched_pending', tlb: 'broadcast' },
  ];
  it.each(cases)('%j: same verdict and violated set, never more states', (p) => {
    const m = tlbFactory.create({ ...v6, ...p });
    const off = check(m, { all: true });
    const on = check(m, { all: true, partialOrder: true });
    expect(outcome(on)).toEqual(outcome(off));
    expect(on.stats.states).toBeLessThanOrEqual(off.stats.states);
  });

  it('lock and counter steps of a path alone are reordered past the hardware: munmap halves', () => {
    const m = tlbFactory.create({ ...v6, run: 'cpu0=munmap' });
    const off = check(m, { all: true }).stats.states;
    const on = check(m, { all: true, partialOrder: true }).stats.states;
    expect(off).toBe(5098);
    expect(on).toBe(2542);
  });
});
