/** The parallel search against the sequential one: identical counts, verdicts and shortest lengths. */
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/check.ts';
import { parallelBfs } from '../src/engine/parallel.ts';
import { chunkRecords } from '../src/engine/parallel-core.ts';
import { WIDE_REGISTRY, wideModel } from './wide-registry.ts';
import type { SearchOptions } from '../src/engine/result.ts';
import { findModel, MODEL_REGISTRY } from '../models/index.ts';

async function both(id: string, params: Record<string, string | number | boolean>, options: SearchOptions) {
  const f = findModel(id)!;
  const full = { ...Object.fromEntries(f.params.map((p) => [p.name, p.default])), ...params };
  const model = f.create(full);
  const seq = check(model, options);
  const par = await parallelBfs(model, { registry: MODEL_REGISTRY, model: id, params: full }, { ...options, workers: 2 });
  return { seq, par };
}

const summary = (r: Awaited<ReturnType<typeof both>>['seq']) => ({
  verdict: r.verdict,
  complete: r.complete,
  violations: r.violations.map((v) => [v.property, v.path.length]).sort(),
});

describe('parallel breadth-first search (2 workers)', () => {
  const cases: [string, Record<string, string | number | boolean>, SearchOptions][] = [
    ['peterson', {}, {}],
    ['philosophers', { n: 12 }, { all: true }],
    // Large enough for the visited set to grow in bands rehashed by both threads.
    ['philosophers', { n: 15 }, { all: true }],
    ['tlb-mini', { ncpu: 5, npage: 3 }, { symmetry: false }],
    ['tlb-mini', { ncpu: 6, npage: 3 }, { symmetry: true }],
    ['tlb', { backend: 'generic-rcu-table-free', cpus: 3, pages: 2, gup: 1 }, { all: true }],
    ['tlb', { backend: 'arm-2.6.37', cpus: 3, pages: 2, vmas: 2 }, { all: true }],
    ['tlb', { backend: 'x86-2.6.38', cpus: 3, pages: 2, gup: 2, tlb: 'broadcast' }, { all: true, symmetry: false }],
  ];
  for (const [id, params, options] of cases) {
    it(`${id} ${JSON.stringify(params)} ${JSON.stringify(options)}: same states, transitions, verdict and shortest violations`, async () => {
      const { seq, par } = await both(id, params, options);
      expect(par.stats.states).toBe(seq.stats.states);
      expect(par.stats.transitions).toBe(seq.stats.transitions);
      expect(par.stats.depth).toBe(seq.stats.depth);
      expect(summary(par)).toEqual(summary(seq));
      expect(par.metrics).toEqual(seq.metrics);
    });
  }

  it('stops at the first violation with a shortest trace, like the sequential search', async () => {
    const { seq, par } = await both('philosophers', { n: 8 }, {});
    expect(par.verdict).toBe('violated');
    expect(par.violations[0]!.path.length).toBe(seq.violations[0]!.path.length);
  });

  it('the worker takes part (started from its bundle), and the frontier arena reuses chunks a level has read', async () => {
    const { seq, par } = await both('philosophers', { n: 15 }, { all: true });
    expect(par.stats.states).toBe(seq.stats.states);
    // The worker joined a level: its start-up time is reported only then.
    expect(par.stats.startupSeconds).toBeGreaterThan(0);
    expect(par.stats.startupSeconds).toBeLessThan(5);
    // The records (state + action) of two levels at most, a partly filled chunk per thread and level, and the
    // per-state child counts: the chunks freed as a level is read are taken again.
    const m = findModel('philosophers')!.create({ n: 15 });
    const R = (m.stateWords + 1) * 4;
    const bound = par.stats.peakFrontier * (R + 4) + 2 * 2 * chunkRecords(m.actions.length) * R + 65536;
    expect(par.stats.frontierBytes!).toBeLessThan(bound);
  });

  it('with no bundle (TLBCHECK_WORKER_BUNDLE=0) the worker starts through tsx, with the same counts', async () => {
    process.env.TLBCHECK_WORKER_BUNDLE = '0';
    try {
      const { seq, par } = await both('tlb-mini', { ncpu: 5, npage: 3 }, { symmetry: false });
      expect(par.stats.states).toBe(seq.stats.states);
      expect(par.stats.transitions).toBe(seq.stats.transitions);
    } finally {
      delete process.env.TLBCHECK_WORKER_BUNDLE;
    }
  });

  it('a model of 300 actions (smaller work items, chunks of 64 K records): the same counts and depth', async () => {
    const model = wideModel(100000);
    const seq = check(model, { all: true });
    const par = await parallelBfs(model, { registry: WIDE_REGISTRY, model: 'wide', params: { n: 100000 } }, { all: true, workers: 2 });
    expect(seq.stats.states).toBe(100000);
    expect(seq.stats.depth).toBeGreaterThan(50);
    expect(par.stats.states).toBe(seq.stats.states);
    expect(par.stats.transitions).toBe(seq.stats.transitions);
    expect(par.stats.depth).toBe(seq.stats.depth);
    expect(par.stats.startupSeconds).toBeGreaterThan(0);
    expect(chunkRecords(300)).toBe(65400);
  });

  it('bounds give incomplete', async () => {
    const { par } = await both('philosophers', { n: 12 }, { all: true, maxDepth: 4 });
    expect(par.verdict).toBe('incomplete');
    expect(par.bound).toBe('max-depth');
    const { par: p2 } = await both('philosophers', { n: 12 }, { all: true, maxStates: 1000 });
    expect(p2.verdict).toBe('incomplete');
    expect(p2.bound).toBe('max-states');
  });
});
