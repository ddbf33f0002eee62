/** The TLB-shootdown model as an engine Model, and its parameterised factory. */
import { get } from '../../src/engine/layout.ts';
import type { Model, ModelFactory, ParamValues, State } from '../../src/engine/model.ts';
import { TLB_PROPERTIES } from '../../properties/index.ts';
import { explainTlb } from '../../properties/explain.ts';
import { tlbInvariants } from '../../properties/tlb.ts';
import { BACKENDS } from './arch/index.ts';
import type { BackendV6 } from './backend.ts';
import { ConfigError, resolveConfig, TLB_PARAMS, type TlbConfig } from './config.ts';
import { column, decode, describe, laneSpans, links, shortLabel, stepKind, whyDisabled } from './display.ts';
import { TlbMachine } from './machine.ts';
import { MECHANISMS } from './mm/mechanisms.ts';
import { PATHS } from './paths.ts';
import { shrinkTlb } from './shrink.ts';
import { tlbSymmetry } from './symmetry.ts';
import { tlbIndependence } from './por.ts';

export interface TlbModel extends Model {
  readonly machine: TlbMachine;
  symmetry?: Model['symmetry'];
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
      { id: 'perPageInvalidates', description: 'single-page invalidates of every level (leaf and walk cache), per target CPU', read: (s: State) => get(s, m.costPerPageF) },
      { id: 'leafInvalidates', description: 'single-page invalidates of the leaf entry only (walk caches kept), per target CPU', read: (s: State) => get(s, m.costLeafF) },
    ],
    initialStates: () => [m.initial()],
    step: (s, a, out) => m.step(s, a, out),
    candidates: (s, out) => m.candidates(s, out),
    isFinal: (s) => m.isFinal(s),
    decode: (s) => decode(m, s),
    describeStep: (s, a) => describe(m, s, a),
    traceLanes: Array.from({ length: m.N }, (_, c) => `cpu${c}`),
    traceColumn: (a) => column(m, a),
    shortLabel: (s, a) => shortLabel(m, s, a),
    stepLinks: (s, a) => links(m, s, a),
    explain: (t) => explainTlb(m, t),
    laneSpans: (s) => laneSpans(m, s),
    independence: tlbIndependence(m),
    stepStyle: (s, a) => stepKind(m, s, a),
    whyDisabled: (s, a) => whyDisabled(m, s, a),
  };
  const sym = tlbSymmetry(m, classes);
  if (sym.symmetry) model.symmetry = sym.symmetry;
  if (sym.canonicalize) model.canonicalize = sym.canonicalize;
  return model;
}

/** One line of a v6 backend's Kconfig choices, its hardware and the tree it was read in. */
function kconfigSummary(b: BackendV6): string {
  const kc = Object.entries(b.kconfig).map(([k, v]) => `${k}=${v ? 'y' : 'n'}`);
  const hw = b.hardware;
  const traits = [hw.tlb === 'ipi' ? 'IPI' : 'broadcast', hw.walkCache ? 'walk cache' : 'no walk cache', hw.walkerIrqsOff ? 'software refill (irqs off)' : hw.speculativeWalks ? 'speculative walks' : 'walks on misses'];
  return `${kc.join(' ')}; hardware: ${traits.join(', ')}${b.tree ? `; read in ${b.tree}` : ''}`;
}

export const tlbFactory: ModelFactory = {
  id: 'tlb',
  summary: 'the TLB-shootdown machine: kernel paths as agents on a backend, with user threads, walkers, gup_fast, reclaim and the allocator',
  params: TLB_PARAMS,
  keyParams: ['backend', 'path'],
  normalize(p: ParamValues) {
    // Without --run, cpu0 runs --path; an `auto` path is named as the path it resolves to.
    if (String(p['run'] ?? '').trim() !== '' || p['path'] !== 'auto') return p;
    const b = BACKENDS.find((x) => x.id === p['backend']);
    return b ? { ...p, path: b.kernel === '2011' ? 'unmap_region' : 'munmap' } : p;
  },
  properties: TLB_PROPERTIES.map((p) => ({ id: p.id, statement: p.statement })),
  catalog: [
    { title: 'backends (--backend)', entries: BACKENDS.map((b) => ({ id: b.id, summary: `${b.summary} [${b.source}]` })) },
    {
      title: 'Kconfig of the v6 backends (override with --kconfig NAME=y|n)',
      entries: BACKENDS.flatMap((b) => (b.kernel === 'v6' ? [{ id: b.id, summary: kconfigSummary(b) }] : [])),
    },
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
  validateRequest(p: ParamValues) {
    const c = resolveConfig(p);
    if (c.without.size === 0) return undefined;
    // A mechanism this configuration never consults: switching it off changes nothing, and a HOLDS would read as "not needed".
    const used = new TlbMachine(c).mechanismsUsed;
    const idle = [...c.without].filter((id) => !used.has(id));
    if (idle.length === 0) return undefined;
    const consulted = MECHANISMS.filter((x) => used.has(x.id)).map((x) => x.id);
    return `--without ${idle.join(',')}: this configuration (${c.backend.id}) never consults ${idle.length === 1 ? 'it' : 'them'}, so switching ${idle.length === 1 ? 'it' : 'them'} off would change nothing (it consults: ${consulted.length > 0 ? consulted.join(', ') : 'none'})`;
  },
  shrink: shrinkTlb,
  ablations(p: ParamValues) {
    const c = resolveConfig(p);
    const m = new TlbMachine(c);
    const off = String(p['without'] ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    return MECHANISMS.filter((x) => m.mechanismsUsed.has(x.id) && !c.without.has(x.id)).map((x) => ({
      id: x.id,
      statement: x.statement,
      ref: x.ref,
      params: { ...p, without: [...off, x.id].join(',') },
    }));
  },
  branches: (p) => ({ ...new TlbMachine(resolveConfig(p)).branchesUsed }),
  create: (p) => tlbModel(resolveConfig(p)),
};
