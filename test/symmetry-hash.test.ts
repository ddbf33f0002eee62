/**
 * Order-independent hashing of symmetric record classes (Model.symmetry):
 * on random symmetric systems with two roles (two classes of records with
 * different rules) and shared words both roles read and write, the reduced
 * search stores exactly the number of orbits of the reachable states,
 * counted naively (full search, records sorted within each class), and
 * finds the same verdicts with the same shortest lengths.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/check.ts';
import type { ActionInfo, Model, State } from '../src/engine/model.ts';
import { SymmetricHasher } from '../src/engine/fingerprint.ts';

interface Rule {
  readonly word: number;
  readonly from: number;
  readonly to: number;
  /** Shared word read (guard) and written, or -1. */
  readonly shared: number;
  readonly need: number;
  readonly set: number;
}

interface Spec {
  readonly fixed: number;
  readonly classes: readonly { readonly count: number; readonly words: number; readonly rules: readonly Rule[]; readonly init: readonly number[] }[];
  /** A second initial state: the first record of class 0 changed (its orbit has several members). */
  readonly twist: boolean;
  readonly bad: { readonly shared: number; readonly value: number; readonly classWord: number; readonly recordValue: number } | undefined;
}

const V = 3; // values 0..2

function layout(spec: Spec): { bases: number[][]; W: number } {
  let w = spec.fixed;
  const bases = spec.classes.map((c) => Array.from({ length: c.count }, () => ((w += c.words), w - c.words)));
  return { bases, W: w };
}

function symmetricModel(spec: Spec, declare: boolean): Model {
  const { bases, W } = layout(spec);
  const actions: ActionInfo[] = [];
  const act: { k: number; base: number; rule: Rule }[] = [];
  spec.classes.forEach((c, k) =>
    bases[k]!.forEach((base, r) =>
      c.rules.forEach((rule, j) => {
        actions.push({ agent: 0, name: `c${k}r${r}#${j}` });
        act.push({ k, base, rule });
      }),
    ),
  );
  const init = new Uint32Array(W);
  spec.classes.forEach((c, k) => bases[k]!.forEach((b) => c.init.forEach((v, i) => (init[b + i] = v))));
  const inits = [init];
  if (spec.twist && bases[0]!.length > 0) {
    const t = Uint32Array.from(init);
    t[bases[0]![0]!] = (t[bases[0]![0]!]! + 1) % V;
    inits.push(t);
  }
  const bad = spec.bad;
  return {
    name: 'symmetric',
    stateWords: W,
    agents: ['all'],
    actions,
    invariants: bad
      ? [{
          id: 'bad',
          statement: 'a symmetric bad state',
          holds: (s: State) => !(s[bad.shared % spec.fixed]! === bad.value && bases[0]!.some((b) => s[b + (bad.classWord % spec.classes[0]!.words)] === bad.recordValue)),
        }]
      : [],
    initialStates: () => inits,
    step(s: State, a: number, out: State): boolean {
      const { base, rule } = act[a]!;
      if (s[base + rule.word] !== rule.from) return false;
      if (rule.shared >= 0 && s[rule.shared] !== rule.need) return false;
      out.set(s);
      out[base + rule.word] = rule.to;
      if (rule.shared >= 0) out[rule.shared] = rule.set;
      return true;
    },
    isFinal: () => true,
    decode: (s) => Array.from(s),
    ...(declare ? { symmetry: { classes: spec.classes.map((c, k) => ({ bases: bases[k]!, words: c.words })) } } : {}),
  };
}

/** The naive canonical form: records sorted (lexicographically) within each class. */
function canonical(spec: Spec, s: State): string {
  const { bases } = layout(spec);
  const out = Array.from(s);
  spec.classes.forEach((c, k) => {
    const recs = bases[k]!.map((b) => Array.from(s.subarray(b, b + c.words)));
    recs.sort((x, y) => {
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return 0;
    });
    bases[k]!.forEach((b, r) => recs[r]!.forEach((v, i) => (out[b + i] = v)));
  });
  return out.join(',');
}

/** Every reachable state, explicitly (no fingerprints). */
function reachable(m: Model): State[] {
  const seen = new Map<string, State>();
  const queue: State[] = [];
  for (const s of m.initialStates()) if (!seen.has(s.join(','))) (seen.set(s.join(','), s), queue.push(s));
  const out = new Uint32Array(m.stateWords);
  while (queue.length > 0) {
    const s = queue.shift()!;
    for (let a = 0; a < m.actions.length; a++) {
      if (!m.step(s, a, out)) continue;
      const key = out.join(',');
      if (!seen.has(key)) {
        const t = Uint32Array.from(out);
        seen.set(key, t);
        queue.push(t);
      }
    }
  }
  return [...seen.values()];
}

const value = fc.integer({ min: 0, max: V - 1 });
const specArb: fc.Arbitrary<Spec> = fc.integer({ min: 1, max: 2 }).chain((fixed) => {
  const rule = (words: number): fc.Arbitrary<Rule> =>
    fc.record({
      word: fc.integer({ min: 0, max: words - 1 }),
      from: value,
      to: value,
      shared: fc.integer({ min: -1, max: fixed - 1 }),
      need: value,
      set: value,
    });
  const cls = fc.integer({ min: 1, max: 2 }).chain((words) =>
    fc.record({
      count: fc.integer({ min: 1, max: 4 }),
      words: fc.constant(words),
      rules: fc.array(rule(words), { minLength: 1, maxLength: 4 }),
      init: fc.array(value, { minLength: words, maxLength: words }),
    }),
  );
  return fc.record({
    fixed: fc.constant(fixed),
    classes: fc.array(cls, { minLength: 1, maxLength: 2 }),
    twist: fc.boolean(),
    bad: fc.option(fc.record({ shared: fc.nat(), value, classWord: fc.nat(), recordValue: value }), { nil: undefined }),
  });
});

describe('symmetric record classes (order-independent hashing)', () => {
  it('the reduced count is exactly the naive orbit count; verdicts and shortest lengths unchanged (fast-check)', () => {
    let reducedSomewhere = false;
    fc.assert(
      fc.property(specArb, (spec) => {
        const full = symmetricModel(spec, false);
        const states = reachable(full);
        const orbits = new Set(states.map((s) => canonical(spec, s))).size;
        const plain = check(full, { all: true, checkDeadlock: false, symmetry: true });
        expect(plain.stats.states).toBe(states.length);
        const sym = check(symmetricModel(spec, true), { all: true, checkDeadlock: false, symmetry: true });
        expect(sym.stats.states).toBe(orbits);
        if (orbits < states.length) reducedSomewhere = true;
        expect(sym.verdict).toBe(plain.verdict);
        expect(sym.violations.map((v) => [v.property, v.path.length])).toEqual(plain.violations.map((v) => [v.property, v.path.length]));
        // Off means off: the classes are ignored without symmetry.
        expect(check(symmetricModel(spec, true), { all: true, checkDeadlock: false }).stats.states).toBe(states.length);
        // 128-bit fingerprints: the same orbits.
        expect(check(symmetricModel(spec, true), { all: true, checkDeadlock: false, symmetry: true, fingerprintBits: 128 }).stats.states).toBe(orbits);
      }),
      { numRuns: 300 },
    );
    expect(reducedSomewhere).toBe(true);
  });

  it('permuting records never changes the fingerprint; changing a record does', () => {
    const h = new SymmetricHasher(9, [{ bases: [1, 3, 5, 7], words: 2 }], 2);
    const a = Uint32Array.of(5, 1, 2, 3, 4, 5, 6, 7, 8);
    const b = Uint32Array.of(5, 7, 8, 1, 2, 5, 6, 3, 4);
    const fa = new Uint32Array(2);
    const fb = new Uint32Array(2);
    h.hash(a, fa);
    h.hash(b, fb);
    expect(Array.from(fb)).toEqual(Array.from(fa));
    // Words swapped inside a record, or two equal records where there were distinct ones: different.
    for (const c of [Uint32Array.of(5, 2, 1, 3, 4, 5, 6, 7, 8), Uint32Array.of(5, 1, 2, 1, 2, 5, 6, 7, 8), Uint32Array.of(6, 1, 2, 3, 4, 5, 6, 7, 8)]) {
      h.hash(c, fb);
      expect(Array.from(fb)).not.toEqual(Array.from(fa));
    }
    expect(() => new SymmetricHasher(4, [{ bases: [0, 1], words: 2 }], 2)).toThrow(/two records/);
    expect(() => new SymmetricHasher(4, [{ bases: [0, 3], words: 2 }], 2)).toThrow(/outside/);
  });

  it('the compiled layout computes exactly the generic hash, and large layouts fall back to it', () => {
    // Random layouts: interleaved fixed words, classes of one-word records (sorted) and longer ones (summed).
    const layoutArb = fc.record({
      fixed: fc.integer({ min: 0, max: 4 }),
      classes: fc.array(fc.record({ count: fc.integer({ min: 1, max: 13 }), words: fc.integer({ min: 1, max: 3 }) }), { maxLength: 3 }),
      lanes: fc.constantFrom(2 as const, 4 as const),
    });
    let compiled = 0;
    let generic = 0;
    fc.assert(
      fc.property(layoutArb, fc.array(fc.nat({ max: 0xffffffff }), { minLength: 64, maxLength: 64 }), (l, values) => {
        let w = l.fixed;
        const classes = l.classes.map((c) => ({ words: c.words, bases: Array.from({ length: c.count }, () => ((w += c.words), w - c.words)) }));
        const W = w + 2; // two trailing fixed words as well
        const h = new SymmetricHasher(W, classes, l.lanes);
        if (h.hash.name === 'symmetricHash') compiled++;
        else generic++;
        const out = new Uint32Array(l.lanes);
        const ref = new Uint32Array(l.lanes);
        for (let t = 0; t < 4; t++) {
          // Small values, so that equal records (the sort's ties) are common; then the full range.
          const s = Uint32Array.from({ length: W }, (_, i) => (t < 2 ? values[(i + t * 7) % 64]! % 3 : values[(i + t * 11) % 64]!));
          h.hash(s, out);
          h.hashGeneric(s, ref);
          expect(Array.from(out)).toEqual(Array.from(ref));
        }
      }),
      { numRuns: 300 },
    );
    expect(compiled).toBeGreaterThan(0);
    // A class of 13 one-word records is past the compare-exchange network: the generic loop.
    expect(generic).toBeGreaterThan(0);
  });
});
