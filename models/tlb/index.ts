/** The TLB-shootdown model as an engine Model, and its parameterised factory. */
import { get } from '../../src/engine/layout.ts';
import type { Model, ModelFactory, ParamValues, State } from '../../src/engine/model.ts';
import { TLB_PROPERTIES } from '../../properties/index.ts';
import { explainTlb } from '../../properties/explain.ts';
import { tlbInvariants } from '../../properties/tlb.ts';
import { BACKENDS } from './arch/index.ts';
import { ConfigError, resolveConfig, TLB_PARAMS, type TlbConfig } from './config.ts';
import { column, decode, describe, links, shortLabel, whyDisabled } from './display.ts';
import { TlbMachine } from './machine.ts';
import { MECHANISMS } from './mm/mechanisms.ts';
import { PATHS } from './paths.ts';
import { shrinkTlb } from './shrink.ts';

export interface TlbModel extends Model {
  readonly machine: TlbMachine;
}

export function tlbModel(config: TlbConfig): TlbModel {
  const m = new TlbMachine(config);
  const classes = m.symmetryClasses();
  const deadlock = TLB_PROPERTIES.find((p) => p.id === 'no-deadlock')!;
  const model: TlbModel = {
    name: 'tlb',
    machine: m,
    stateWords: m.words,
    agents: m.agents,
    actions: m.actions,
    invariants: tlbInvariants(m),
    deadlock: { id: deadlock.id, statement: deadlock.statement },
    metrics: [
      { id: 'ipis', description: 'IPIs sent by the kernel paths', read: (s: State) => get(s, m.costIpisF) },
      { id: 'fullFlushes', description: 'full TLB flushes, per target CPU', read: (s: State) => get(s, m.costFullF) },
      { id: 'perPageInvalidates', description: 'single-page invalidates, per target CPU', read: (s: State) => get(s, m.costPerPageF) },
    ],
    initialStates: () => [m.initial()],
    step: (s, a, out) => m.step(s, a, out),
    isFinal: (s) => m.isFinal(s),
    decode: (s) => decode(m, s),
    describeStep: (s, a) => describe(m, s, a),
    traceLanes: Array.from({ length: m.N }, (_, c) => `cpu${c}`),
    traceColumn: (a) => column(m, a),
    shortLabel: (s, a) => shortLabel(m, s, a),
    stepLinks: (s, a) => links(m, s, a),
    explain: (t) => explainTlb(m, t),
    whyDisabled: (s, a) => whyDisabled(m, s, a),
  };
  if (classes.length > 0) {
    const W = m.words;
    const CW = m.cpuWords;
    const base = m.cpuBase;
    const scratch = new Uint32Array(8 * CW);
    model.canonicalize = (s: State, out: State): void => {
      for (let i = 0; i < W; i++) out[i] = s[i]!;
      for (const cls of classes) {
        // Insertion sort of whole CPU records (word runs compared lexicographically): classes hold a handful of CPUs.
        const n = cls.length;
        for (let i = 0; i < n; i++) {
          const b = base[cls[i]!]!;
          let j = i;
          while (j > 0 && greater(scratch, (j - 1) * CW, s, b, CW)) {
            for (let w = 0; w < CW; w++) scratch[j * CW + w] = scratch[(j - 1) * CW + w]!;
            j--;
          }
          for (let w = 0; w < CW; w++) scratch[j * CW + w] = s[b + w]!;
        }
        for (let i = 0; i < n; i++) {
          const b = base[cls[i]!]!;
          for (let w = 0; w < CW; w++) out[b + w] = scratch[i * CW + w]!;
        }
      }
    };
  }
  return model;
}

/** Whether the record at a[ai..] is greater than the one at b[bi..] (n words, most significant first). */
function greater(a: Uint32Array, ai: number, b: Uint32Array, bi: number, n: number): boolean {
  for (let w = 0; w < n; w++) {
    const x = a[ai + w]!;
    const y = b[bi + w]!;
    if (x !== y) return x > y;
  }
  return false;
}

export const tlbFactory: ModelFactory = {
  id: 'tlb',
  summary: 'the TLB-shootdown machine: kernel paths as agents on a backend, with user threads, walkers, gup_fast, reclaim and the allocator',
  params: TLB_PARAMS,
  properties: TLB_PROPERTIES.map((p) => ({ id: p.id, statement: p.statement })),
  catalog: [
    { title: 'backends (--backend)', entries: BACKENDS.map((b) => ({ id: b.id, summary: `${b.summary} [${b.source}]` })) },
    { title: 'paths (--path, --run cpuN=PATH)', entries: PATHS.filter((p) => p.listed).map((p) => ({ id: p.id, summary: `${p.summary} [${p.kernels.join(', ')}]` })) },
    { title: 'mechanisms (--without)', entries: MECHANISMS.map((x) => ({ id: x.id, summary: `${x.statement} [${x.ref}]` })) },
  ],
  validate(p: ParamValues) {
    try {
      resolveConfig(p);
      return undefined;
    } catch (e) {
      if (e instanceof ConfigError) return e.message;
      throw e;
    }
  },
  shrink: shrinkTlb,
  create: (p) => tlbModel(resolveConfig(p)),
};
