/**
 * Committed counterexamples replay; trace files round-trip; malformed files
 * are rejected with one line; emitted traces are minimal and shrinking is sound.
 */
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/check.ts';
import { replay } from '../src/engine/replay.ts';
import { deadlockProperty } from '../src/engine/model.ts';
import { parseTraceFile, toTraceFile, traceDigest, type TraceFile } from '../src/counterexample/format.ts';
import { replayTraceText } from '../src/counterexample/replay-file.ts';
import { minimize, violationOf } from '../src/counterexample/shrink.ts';
import { counterexample } from '../src/counterexample/generate.ts';
import { traceView } from '../src/render/trace.ts';
import { findModel } from '../models/index.ts';
import { tlbFactory } from '../models/tlb/index.ts';
import { TLB_PARAMS } from '../models/tlb/config.ts';
import { BACKENDS as ALL_BACKENDS } from '../models/tlb/arch/index.ts';
import { PATHS as ALL_PATHS } from '../models/tlb/paths.ts';

/** The 2011 backends and paths (DOMAIN.md); today's have their own rows. */
const BACKENDS = ALL_BACKENDS.filter((b) => b.kernel === '2011');
const PATHS = ALL_PATHS.filter((p) => p.listed && p.kernels.includes('2011'));
import { isOneLineError, tlbcheck } from './cli-helpers.ts';
import { loadMatrix } from '../models/tlb/matrix.ts';

const DIR = new URL('../counterexamples/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const defaults = Object.fromEntries(TLB_PARAMS.map((p) => [p.name, p.default]));

describe('committed counterexamples', () => {
  it('one JSON and one text trace per violating matrix row', () => {
    const violating = loadMatrix().rows.filter((r) => r.expect === 'violated').length;
    expect(files.length).toBe(violating);
    for (const f of files) expect(readdirSync(DIR)).toContain(f.replace(/\.json$/, '.txt'));
  });
  for (const f of files) {
    it(`${f} still reaches its violation`, () => {
      const o = replayTraceText(readFileSync(new URL(f, DIR), 'utf8'), findModel);
      expect(o.status).toBe('violates');
      if (o.status === 'violates') expect(o.view.steps.length).toBe(o.file.steps.length);
    });
  }
});

describe('trace files', () => {
  const params = { ...defaults, backend: 'arm-2.6.37', path: 'unmap_region' };
  const model = tlbFactory.create(params);
  const v = check(model).violations[0]!;
  const view = traceView(model, v);
  const file = toTraceFile('tlb', params, view, 'tlbcheck check tlb --backend arm-2.6.37');

  it('round-trip through JSON and replay to the same steps and states', () => {
    const back = parseTraceFile(JSON.stringify(file));
    expect(back).toEqual(file);
    const o = replayTraceText(JSON.stringify(file), findModel);
    expect(o.status).toBe('violates');
    if (o.status !== 'violates') return;
    expect(o.view.steps.map((s) => s.name)).toEqual(view.steps.map((s) => s.name));
    expect(o.view.steps.map((s) => Array.from(s.state))).toEqual(view.steps.map((s) => Array.from(s.state)));
  });

  const dir = mkdtempSync(join(tmpdir(), 'tlbcheck-'));
  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const good = JSON.stringify(file, null, 2);
  // A consistent file (its digest recomputed), to reach the checks behind the digest.
  const sealed = (f: TraceFile): string => JSON.stringify({ ...f, digest: traceDigest(f) });
  const cases: [string, string, string][] = [
    ['truncated', good.slice(0, good.length / 2), 'not valid JSON'],
    ['wrong version', JSON.stringify({ ...file, version: 99 }), 'version 99'],
    ['not a trace', JSON.stringify({ hello: 1 }), 'not a tlbcheck trace'],
    ['unknown backend', sealed({ ...file, params: { ...file.params, backend: 'vax-1.0' } }), 'vax-1.0'],
    ['invalid configuration', sealed({ ...file, params: { ...file.params, pages: 1, vmas: 3 } }), 'invalid configuration'],
    ['step not enabled', sealed({ ...file, steps: [file.steps[1]!, ...file.steps] }), 'is not enabled'],
    ['unknown action', sealed({ ...file, steps: [{ ...file.steps[0]!, action: 'cpu9 dances' }] }), 'no action "cpu9 dances"'],
    ['unknown model', sealed({ ...file, model: 'nosuch' }), 'unknown model "nosuch"'],
    ['edited steps', JSON.stringify({ ...file, steps: file.steps.slice(0, -1) }), `ends at step ${file.steps.length - 1}`],
  ];
  it.each(cases)('a file with %s exits 2 with one line', (name, text, reason) => {
    const r = tlbcheck('replay', write(`${name.replace(/ /g, '-')}.json`, text));
    expect(r.code).toBe(2);
    expect(isOneLineError(r)).toBe(true);
    expect(r.stderr).toContain(reason);
  });

  it('a trace that replays step for step but no longer violates is "fixed" (the model changed, the file did not)', () => {
    // The same file against a model whose invariant was fixed: every step replays exactly, and the property holds.
    const fixedModel = (p: Record<string, unknown>) => {
      const m = tlbFactory.create(p as never);
      return { ...m, invariants: m.invariants.map((i) => (i.id === file.property ? { ...i, holds: undefined, holdsOnStep: () => true } : i)) };
    };
    const o = replayTraceText(good, (id) => (id === 'tlb' ? { ...tlbFactory, create: fixedModel } : undefined));
    expect(o.status).toBe('fixed');
    if (o.status === 'fixed') expect(o.reason).toContain(`all ${file.steps.length} steps replay exactly`);
  });

  it('replay of a good file exits 1 and prints the trace; --expect-violation turns that into 0', () => {
    const p = write('good.json', good);
    const r = tlbcheck('replay', p);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Violation at step');
    expect(tlbcheck('replay', '--expect-violation', p).code).toBe(0);
  });
});

/** Small random TLB configurations: every backend and path, 1-3 CPUs, 1-2 pages. */
const configArb = fc
  .record({
    backend: fc.constantFrom(...BACKENDS.map((b) => b.id)),
    path: fc.constantFrom(...PATHS.map((p) => p.id)),
    cpus: fc.integer({ min: 1, max: 3 }),
    pages: fc.integer({ min: 1, max: 2 }),
    gup: fc.integer({ min: 0, max: 1 }),
    walker: fc.constantFrom('off', 'unmapper', 'others', 'all'),
    allocator: fc.boolean(),
    tlb: fc.constantFrom('auto', 'ipi', 'broadcast'),
  })
  .map((c) => ({ ...defaults, ...c, vmas: c.pages, gup: ['exit_mmap', 'shift_arg_pages'].includes(c.path) ? 0 : Math.min(c.gup, c.cpus - 1) }))
  .filter((p) => tlbFactory.validate!(p) === undefined);

describe('counterexample properties (fast-check)', () => {
  it('every emitted trace replays to its violation, and no strict prefix violates the same property', () => {
    fc.assert(
      fc.property(configArb, (params) => {
        const model = tlbFactory.create(params);
        const r = check(model, { all: true });
        for (const v of r.violations) {
          const c = counterexample(tlbFactory, params, v.property, false)!;
          expect(c).toBeDefined();
          const o = replayTraceText(JSON.stringify(c.file), findModel);
          expect(o.status).toBe('violates');
          // BFS: no shorter prefix violates it (a prefix violating would have been found first).
          const path = c.view.steps.map((s) => s.action);
          const inv = model.invariants.find((i) => i.id === v.property);
          const rp = replay(model, c.view.initialIndex, path);
          const states = [rp.initial, ...rp.steps.map((s) => s.state)];
          for (let k = 1; k < path.length; k++) {
            if (inv?.holdsOnStep) expect(inv.holdsOnStep(states[k - 1]!, path[k - 1]!, states[k]!)).toBe(true);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('shrinking never returns a configuration that does not violate', () => {
    fc.assert(
      fc.property(configArb, (params) => {
        const r = check(tlbFactory.create(params));
        if (r.verdict !== 'violated') return;
        const prop = r.violations[0]!.property;
        const m = minimize(tlbFactory, params, prop)!;
        expect(m).toBeDefined();
        expect(tlbFactory.validate!(m.params)).toBeUndefined();
        expect(violationOf(tlbFactory, m.params, prop).violation).toBeDefined();
        // 1-minimal: every recorded attempt from the result holds (or is invalid).
        for (const a of m.final) expect(a.outcome).not.toBe('violates');
        const dl = deadlockProperty(tlbFactory.create(m.params)).id;
        expect(prop === dl || tlbFactory.create(m.params).invariants.some((i) => i.id === prop)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

describe('trace outputs from the CLI', () => {
  it('check --minimize --trace-out --html --itf writes a replayable trace, a self-contained page and an ITF trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlbcheck-out-'));
    const [json, html, itf] = ['t.json', 't.html', 't.itf.json'].map((f) => join(dir, f)) as [string, string, string];
    const r = tlbcheck('check', 'tlb', '--backend', 'x86-2.6.38', '--gup', '1', '--tlb', 'broadcast', '--minimize', '--trace-out', json, '--html', html, '--itf', itf);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('minimized by:');
    const file = parseTraceFile(readFileSync(json, 'utf8'));
    // Shrunk: fewer CPUs, fewer walkers, no allocator.
    expect(file.minimization!.tried.filter((t) => t.outcome === 'violates').length).toBeGreaterThan(0);
    expect(file.params['allocator']).toBe(false);
    expect(tlbcheck('replay', json, '--quiet').code).toBe(1);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).not.toMatch(/(src|href)="https?:/);
    const t = JSON.parse(readFileSync(itf, 'utf8'));
    expect(t['#meta'].format).toBe('ITF');
    expect(t.states).toHaveLength(file.steps.length + 1);
    expect(t.states[1]['#meta'].action).toBe(file.steps[0]!.action);
  });
});
