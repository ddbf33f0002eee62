/**
 * Bounds cover the whole command, and every suggested continue command gets
 * further than the run it continues.
 */
import { describe, expect, it } from 'vitest';
import { tlbcheck } from './cli-helpers.ts';
import { minimize } from '../src/counterexample/shrink.ts';
import { newInterruptFlag, requestInterrupt } from '../src/engine/interrupt.ts';
import type { ModelFactory } from '../src/engine/model.ts';
import { philosophers } from '../models/examples/philosophers.ts';

/** Runs a printed `tlbcheck ...` command (they are printed shell-quoted; these need no quoting). */
const rerun = (cmd: string) => tlbcheck(...cmd.split(' ').slice(1));

describe('continue commands get further', () => {
  it('--max-states: four times as many', () => {
    const a = JSON.parse(tlbcheck('check', 'philosophers', '--n', '12', '--all', '--max-states', '1000', '--json').stdout);
    expect(a.bound).toBe('max-states');
    expect(a.continue).toContain('--max-states 4000');
    const b = JSON.parse(rerun(a.continue).stdout);
    expect(b.stats.states).toBeGreaterThan(a.stats.states);
  });

  it('--max-depth 0: depth 1 (not 0 again)', () => {
    const a = JSON.parse(tlbcheck('check', 'philosophers', '--n', '6', '--all', '--max-depth', '0', '--json').stdout);
    expect(a.verdict).toBe('incomplete');
    expect(a.continue).toContain('--max-depth 1');
    const b = JSON.parse(rerun(a.continue).stdout);
    expect(b.stats.states).toBeGreaterThan(a.stats.states);
  });

  it('--time-limit: four times as long, and further', () => {
    const a = JSON.parse(tlbcheck('check', 'philosophers', '--n', '18', '--all', '--time-limit', '0.3', '--json').stdout);
    expect(a.bound).toBe('time-limit');
    expect(a.continue).toContain('--time-limit 1.2');
    const b = JSON.parse(rerun(a.continue).stdout);
    expect(b.stats.states).toBeGreaterThan(a.stats.states);
  });

  it('simulate stopped by its time limit continues with the runs left', () => {
    const r = tlbcheck('simulate', 'peterson', '--runs', '100000000', '--time-limit', '0.5', '--json');
    expect(r.code).toBe(3);
    const a = JSON.parse(r.stdout);
    expect(a.bound).toBe('time-limit');
    const next = a.simulation.nextRun as number;
    expect(a.continue).toContain(`--from-run ${next} --runs ${100000000 - next}`);
    const b = JSON.parse(rerun(a.continue.replace('--time-limit 0.5', '--time-limit 0.2')).stdout);
    expect(b.config['from-run']).toBe(next);
    expect(b.simulation.nextRun).toBeGreaterThan(next);
  });
});

describe('a depth bound that cuts nothing', () => {
  it('gives the unbounded search exactly, transitions out of the last level included (sequential and 2 workers)', () => {
    const counts = (...args: string[]) => {
      const d = JSON.parse(tlbcheck('check', ...args, '--json').stdout);
      return [d.verdict, d.complete, d.bound, d.stats.states, d.stats.transitions, d.stats.depth];
    };
    expect(counts('peterson')).toEqual(['holds', true, null, 20, 34, 6]);
    expect(counts('peterson', '--max-depth', '6')).toEqual(['holds', true, null, 20, 34, 6]);
    expect(counts('peterson', '--max-depth', '6', '--workers', '2')).toEqual(['holds', true, null, 20, 34, 6]);
    expect(counts('philosophers', '--n', '10', '--all', '--max-depth', '10')).toEqual(counts('philosophers', '--n', '10', '--all'));
    // One level less is cut short, and says so.
    expect(counts('peterson', '--max-depth', '5').slice(0, 3)).toEqual(['incomplete', false, 'max-depth']);
  });
});

describe('matrix rows cut short', () => {
  it('are incomplete (exit 3), not mismatches, with lower-bound costs and a continue command', () => {
    const r = tlbcheck('matrix', '--only', 'x86-2.6.38/unmap_region[gup=1]', '--time-limit', '0.001', '--no-minimize', '--json');
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    const row = doc.rows[0];
    expect(row.status).toBe('incomplete');
    expect(row.verdict).toBe('incomplete');
    expect(row.bound).toBe('time-limit');
    expect(row.matches).toBe(false);
    expect(row.cost).toBeNull();
    expect(row.costLowerBound).toEqual(expect.objectContaining({ ipis: expect.any(Number) }));
    expect(doc.summary).toMatchObject({ mismatched: 0, incomplete: 1 });
    expect(doc.continue).toContain('--time-limit 0.004');
    const text = tlbcheck('matrix', '--only', 'x86-2.6.38/unmap_region[gup=1]', '--time-limit', '0.001', '--no-minimize');
    expect(text.stdout).toContain('INCOMPLETE');
    expect(text.stdout).toMatch(/>=\d/);
    expect(text.stdout).not.toContain('MISMATCH');
  });
});

describe('violating matrix rows cut short', () => {
  it('are incomplete too: the violations found so far may not be all of them', () => {
    const r = tlbcheck('matrix', '--only', 'arm-2.6.37/unmap_region', '--time-limit', '0.001', '--no-minimize', '--json');
    const row = JSON.parse(r.stdout).rows[0];
    expect(row).toMatchObject({ verdict: 'violated', bound: 'time-limit', status: 'incomplete', cost: null });
    expect(r.code).toBe(3);
  });
});

describe('the command\'s bounds cover minimization', () => {
  // A family whose shrink candidates hold, so that every attempt is a complete (slow) search:
  // philosophers where the smaller configurations are marked final everywhere (no deadlock).
  const slow: ModelFactory = {
    id: 'slow-shrink',
    summary: 'test',
    params: [
      { name: 'n', kind: 'int', default: 17, min: 2, max: 30, description: '' },
      { name: 'fixed', kind: 'bool', default: false, description: '' },
    ],
    properties: [],
    shrink: (p) => [{ params: { ...p, fixed: true }, change: 'fixed' }],
    create: (p) => {
      const m = philosophers(p['n'] as number);
      return p['fixed'] ? { ...m, isFinal: () => true } : m;
    },
  };
  const known = { property: 'deadlock', statement: '', initial: 0, path: [0], kind: 'deadlock' as const };

  it('a deadline stops shrinking inside an attempt, keeping the smallest so far', () => {
    const t0 = Date.now();
    const m = minimize(slow, { n: 17, fixed: false }, 'deadlock', { deadline: Date.now() + 800 }, 200, known)!;
    expect((Date.now() - t0) / 1000).toBeLessThan(5); // the 0.8 s deadline, with room for a loaded machine
    expect(m.stopped).toBe('time-limit');
    expect(m.params).toEqual({ n: 17, fixed: false });
    expect(m.tried).toEqual([{ change: 'fixed', outcome: 'incomplete' }]);
  });

  it('an interrupt stops it before the next attempt', () => {
    const flag = newInterruptFlag();
    requestInterrupt(flag);
    const m = minimize(slow, { n: 17, fixed: false }, 'deadlock', { interrupt: flag }, 200, known)!;
    expect(m.stopped).toBe('interrupted');
    expect(m.tried).toEqual([]);
  });

  it('check --minimize --time-limit: the whole command ends close to the limit', () => {
    const t0 = Date.now();
    const r = tlbcheck('check', 'tlb', '--backend', 'x86-2.6.38', '--cpus', '5', '--pages', '3', '--gup', '2', '--tlb', 'broadcast', '--minimize', '--time-limit', '2', '--json');
    expect((Date.now() - t0) / 1000).toBeLessThan(2 + 6); // the limit, plus start-up and rendering on a loaded machine
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).bound).toBe('time-limit');
  });
});
