/** The TLB-shootdown model as an engine Model, and its parameterised factory. */
import { get, set } from '../../src/engine/layout.ts';
import type { Model, ModelFactory, ParamValues, State } from '../../src/engine/model.ts';
import { TLB_PROPERTIES } from '../../properties/index.ts';
import { explainTlb } from '../../properties/explain.ts';
import { tlbInvariants } from '../../properties/tlb.ts';
import { ConfigError, resolveConfig, TLB_PARAMS, type TlbConfig } from './config.ts';
import { BACKENDS } from './backends/index.ts';
import { TlbMachine } from './machine.ts';
import { PATHS } from './paths.ts';
import { shrinkTlb } from './shrink.ts';

export interface TlbModel extends Model {
  readonly machine: TlbMachine;
}

export function tlbModel(config: TlbConfig): TlbModel {
  const m = new TlbMachine(config);
  const classes = m.symmetryClasses();
  const scratch = new Uint32Array(8);
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
      { id: 'ipis', description: 'IPIs sent by the unmapper', read: (s: State) => m.cost.ipis[m.pc(s)]! },
      { id: 'fullFlushes', description: 'full TLB flushes, per target CPU', read: (s: State) => m.cost.fullFlushes[m.pc(s)]! },
      { id: 'perPageInvalidates', description: 'single-page invalidates, per target CPU', read: (s: State) => m.cost.perPage[m.pc(s)]! },
    ],
    initialStates: () => [m.initial()],
    step: (s, a, out) => m.step(s, a, out),
    isFinal: (s) => m.isFinal(s),
    decode: (s) => m.decode(s),
    describeStep: (s, a) => m.describe(s, a),
    traceLanes: Array.from({ length: m.N }, (_, c) => `cpu${c}`),
    traceColumn: (a) => m.column(a),
    shortLabel: (s, a) => m.shortLabel(s, a),
    stepLinks: (s, a) => m.links(s, a),
    explain: (t) => explainTlb(m, t),
    whyDisabled: (s, a) => m.whyDisabled(s, a),
  };
  if (classes.length > 0) {
    const W = m.words;
    model.canonicalize = (s: State, out: State): void => {
      for (let i = 0; i < W; i++) out[i] = s[i]!;
      for (const cls of classes) {
        // Insertion sort: classes hold a handful of CPUs.
        const n = cls.length;
        for (let i = 0; i < n; i++) {
          const v = get(s, m.cpuF[cls[i]!]!);
          let j = i;
          while (j > 0 && scratch[j - 1]! > v) {
            scratch[j] = scratch[j - 1]!;
            j--;
          }
          scratch[j] = v;
        }
        for (let i = 0; i < n; i++) set(out, m.cpuF[cls[i]!]!, scratch[i]!);
      }
    };
  }
  return model;
}

export const tlbFactory: ModelFactory = {
  id: 'tlb',
  summary: 'the TLB-shootdown machine: an unmapper path on a backend, with accessors, walkers, gup_fast and the allocator',
  params: TLB_PARAMS,
  keyParams: ['backend', 'path'],
  properties: TLB_PROPERTIES.map((p) => ({ id: p.id, statement: p.statement })),
  catalog: [
    { title: 'backends (--backend)', entries: BACKENDS.map((b) => ({ id: b.id, summary: `${b.summary} [${b.source}]` })) },
    { title: 'paths (--path)', entries: PATHS.map((p) => ({ id: p.id, summary: p.summary })) },
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
