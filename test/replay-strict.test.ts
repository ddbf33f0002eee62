/**
 * A corrupted-trace corpus: every file either replays exactly or is refused
 * with exit 2 and one line that names the step (or the field); none of them
 * ever gets "no longer violates".
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/check.ts';
import { replay } from '../src/engine/replay.ts';
import { toTraceFile, traceDigest, type TraceFile } from '../src/counterexample/format.ts';
import { traceView, witnessView } from '../src/render/trace.ts';
import { tlbFactory } from '../models/tlb/index.ts';
import { TLB_PARAMS } from '../models/tlb/config.ts';
import { peterson } from '../models/examples/peterson.ts';
import { isOneLineError, tlbcheck } from './cli-helpers.ts';

const defaults = Object.fromEntries(TLB_PARAMS.map((p) => [p.name, p.default]));
const params = { ...defaults, backend: 'arm-2.6.37', path: 'unmap_region', cpus: 2 };
const model = tlbFactory.create(params);
const v = check(model).violations[0]!;
const file = toTraceFile('tlb', params, traceView(model, v), 'tlbcheck check tlb --backend arm-2.6.37 --path unmap_region');
const n = file.steps.length;
const dir = mkdtempSync(join(tmpdir(), 'tlbcheck-corpus-'));
const write = (name: string, text: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
/** An edited file whose digest was recomputed (or removed): the checks behind the digest must still catch it. */
const sealed = (f: TraceFile): string => JSON.stringify({ ...f, digest: traceDigest(f) });
const unsealed = (f: TraceFile): string => JSON.stringify({ ...f, digest: undefined });
const swap = <T>(xs: readonly T[], i: number, j: number): T[] => {
  const out = [...xs];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
};
/** The file with one more step that replays (labels and changes as the model makes them) after the violation. */
function withExtraStep(): string {
  const end = replay(model, v.initial, v.path).steps.at(-1)!.state;
  const scratch = new Uint32Array(model.stateWords);
  const a = model.actions.findIndex((_, i) => model.step(end, i, scratch));
  const longer = toTraceFile('tlb', params, traceView(model, { ...v, path: [...v.path, a] }), file.command);
  return JSON.stringify(longer);
}

describe('strict replay: the corrupted-trace corpus', () => {
  it('the intact file replays and still violates (exit 1)', () => {
    expect(tlbcheck('replay', write('good.json', JSON.stringify(file))).code).toBe(1);
  });

  const cases: [string, () => string, RegExp][] = [
    ['truncated bytes', () => JSON.stringify(file).slice(0, 300), /not valid JSON/],
    ['truncated steps (digest intact)', () => JSON.stringify({ ...file, steps: file.steps.slice(0, -1) }), new RegExp(`ends at step ${n - 1} without`)],
    ['truncated steps (no digest)', () => unsealed({ ...file, steps: file.steps.slice(0, -1) }), /ends at step \d+ without .* no digest/],
    ['reordered steps', () => sealed({ ...file, steps: swap(file.steps, 0, 1) }), /step [12]/],
    ['reordered steps (no digest)', () => unsealed({ ...file, steps: swap(file.steps, n - 2, n - 1) }), /step \d+/],
    ['extra steps after the violation', withExtraStep, new RegExp(`already violated at step ${n}, but the file goes on to step ${n + 1}`)],
    ['extra steps that do not replay', () => sealed({ ...file, steps: [...file.steps, file.steps[0]!] }), new RegExp(`step ${n + 1} .* is not enabled after step ${n}`)],
    ['a label that does not match', () => sealed({ ...file, steps: file.steps.map((s, i) => (i === 1 ? { ...s, label: 'something else' } : s)) }), /^.*step 2: the file says "something else"/],
    ['an agent that does not match', () => sealed({ ...file, steps: file.steps.map((s, i) => (i === 0 ? { ...s, agent: 'cpu7 walker' } : s)) }), /step 1: the file says agent "cpu7 walker"/],
    ['state changes that do not match', () => sealed({ ...file, steps: file.steps.map((s, i) => (i === 0 ? { ...s, changes: ['x: 1 -> 2'] } : s)) }), /step 1 .* changes the state differently/],
    ['a step without its label', () => JSON.stringify({ ...file, steps: file.steps.map((s, i) => (i === 2 ? { action: s.action, agent: s.agent, changes: s.changes } : s)) }), /step 3: field 'label' is missing/],
    ['the wrong kind (deadlock for an invariant)', () => sealed({ ...file, kind: 'deadlock' }), /is a (state|step) invariant, but the file says kind 'deadlock'/],
    ['the wrong kind (state for a step invariant)', () => sealed({ ...file, kind: file.kind === 'step' ? 'state' : 'step' }), /but the file says kind/],
    ['the wrong kind (a witness of an invariant)', () => sealed({ ...file, kind: 'reach-state' }), /but the file says kind 'reach-state'/],
    ['an unknown kind', () => JSON.stringify({ ...file, kind: 'sometimes-maybe' }), /field 'kind' must be one of/],
    ['a missing parameter', () => sealed({ ...file, params: Object.fromEntries(Object.entries(file.params).filter(([k]) => k !== 'walker')) }), /parameter 'walker' missing/],
    ['an initial state that does not exist', () => sealed({ ...file, initial: 5 }), /initial state #5 does not exist/],
    ['a digest that does not match a replayable file', () => JSON.stringify({ ...file, digest: '0123456789abcdef' }), /digest does not match/],
    ['binary garbage', () => '\u0000\u0001{"format"', /not valid JSON/],
  ];
  it.each(cases)('%s: exit 2, one line, never "no longer violates"', (name, make, reason) => {
    const r = tlbcheck('replay', write(`${name.replace(/\W+/g, '-')}.json`, make()));
    expect(r.code).toBe(2);
    expect(isOneLineError(r)).toBe(true);
    expect(r.stderr).toMatch(reason);
    expect(r.stdout).not.toContain('no longer');
    expect(r.stderr).not.toContain('fixed');
  });

  it('not valid UTF-8: refused', () => {
    const r = tlbcheck('replay', write('latin1.json', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not UTF-8');
  });

  it('a FIFO is refused without blocking', () => {
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    const t0 = Date.now();
    const r = tlbcheck('replay', fifo);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(2);
    expect(isOneLineError(r)).toBe(true);
    expect(r.stderr).toContain('is a FIFO, not a regular file');
  });

  it('/dev/zero is refused without reading it', () => {
    const r = tlbcheck('replay', '/dev/zero');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a character device, not a regular file');
  });

  it('a huge file is refused by its size', () => {
    const big = join(dir, 'huge.json');
    execFileSync('truncate', ['-s', '200M', big]); // sparse: no disk used
    const r = tlbcheck('replay', big);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('larger than the 32 MiB a trace file may be');
  });

  it('a directory and a missing file are refused with one line', () => {
    expect(tlbcheck('replay', dir).stderr).toContain('is a directory');
    const r = tlbcheck('replay', join(dir, 'nope.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ENOENT');
  });

  it('one bad file among good ones makes the run exit 2', () => {
    const good = write('good2.json', JSON.stringify(file));
    const bad = write('bad2.json', JSON.stringify({ ...file, steps: file.steps.slice(1) }));
    expect(tlbcheck('replay', '--expect-violation', good, bad).code).toBe(2);
  });
});

describe('witness files', () => {
  const m = peterson();
  const r = check(m);
  const w = r.witnesses.find((x) => x.property === 'p0-critical')!;
  const wf = toTraceFile('peterson', {}, witnessView(m, w), 'tlbcheck check peterson');

  it('replay: still reaches (exit 0), and --expect-violation accepts it', () => {
    const p = write('witness.json', JSON.stringify(wf));
    const out = tlbcheck('replay', p);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('still reaches p0-critical');
    expect(tlbcheck('replay', '--expect-violation', p).code).toBe(0);
  });

  it('a witness with an extra step after reaching is refused', () => {
    const exit0 = m.actions.findIndex((a) => a.name === 'exit(0)');
    const longer = toTraceFile('peterson', {}, witnessView(m, { ...w, path: [...w.path, exit0] }), wf.command);
    const p = write('witness-extra.json', JSON.stringify(longer));
    const out = tlbcheck('replay', p);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('already reached at step 3');
  });

  it('check --trace-out saves the first witness when nothing is violated, and it replays', () => {
    const p = join(dir, 'peterson-witness.json');
    expect(tlbcheck('check', 'peterson', '--trace-out', p).code).toBe(0);
    const out = tlbcheck('replay', '--quiet', p);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('still reaches p0-critical (3 steps)');
  });
});
