/**
 * tlb-mini: the smallest TLB-shootdown race, with exactly the semantics of
 * ../shared/peers (section tlb-mini), so that state counts can be compared
 * with SPIN and rumur one for one. CPU 0 unmaps (clear PTEs, flush, free
 * frames, in the BUGGY or FIXED order); CPUs 1..NCPU-1 access pages through
 * their TLBs; an allocator reuses freed frames. Page p maps frame p.
 */
import { Layout, bitsFor, get, set, type Field } from '../../src/engine/layout.ts';
import type { ActionInfo, Invariant, Model, ModelFactory, State } from '../../src/engine/model.ts';

const INUSE = 0;
const FREED = 1;
const REUSED = 2;
const FRAME = ['inuse', 'freed', 'reused'] as const;

export interface TlbMiniParams {
  ncpu: number;
  npage: number;
  variant: 'buggy' | 'fixed';
  checkFree: boolean;
}

type Op = { kind: 'clear' | 'free'; page: number } | { kind: 'flushAll'; page: -1 };

export function tlbMini(p: TlbMiniParams): Model {
  const { ncpu, npage } = p;
  const naccessor = ncpu - 1;
  const program: Op[] = [];
  if (p.variant === 'fixed') {
    for (let q = 0; q < npage; q++) program.push({ kind: 'clear', page: q });
    program.push({ kind: 'flushAll', page: -1 });
    for (let q = 0; q < npage; q++) program.push({ kind: 'free', page: q });
  } else {
    for (let q = 0; q < npage; q++) program.push({ kind: 'clear', page: q }, { kind: 'free', page: q });
    program.push({ kind: 'flushAll', page: -1 });
  }
  const DONE = program.length;

  const layout = new Layout();
  const upc = layout.field('upc', bitsFor(DONE));
  const pte = layout.array('pte', npage, 1);
  const frame = layout.array('frame', npage, 2);
  // One field per accessor CPU holding its TLB as a bit per page: symmetry
  // reduction then only has to sort these rows.
  const tlb: Field[] = layout.array('tlb', naccessor, npage);
  const W = layout.words;

  const actions: ActionInfo[] = [];
  const agents = ['cpu0 (unmapper)'];
  for (const op of program) actions.push({ agent: 0, name: op.kind === 'flushAll' ? 'flushAll' : `${op.kind}(${op.page})` });
  const firstAccess = actions.length;
  for (let c = 1; c < ncpu; c++) {
    agents.push(`cpu${c}`);
    for (let q = 0; q < npage; q++) actions.push({ agent: c, name: `step(${c},${q})` });
  }
  const firstReuse = actions.length;
  agents.push('allocator');
  for (let q = 0; q < npage; q++) actions.push({ agent: ncpu, name: `reuse(${q})` });

  const tlbHas = (s: State, c: number, q: number): boolean => ((get(s, tlb[c - 1]!) >>> q) & 1) === 1;

  const invariants: Invariant[] = [
    {
      id: 'no-access-after-free',
      statement: 'no access through a TLB reaches a frame that is freed or reused (P1)',
      holdsOnStep(s, a) {
        if (a < firstAccess || a >= firstReuse) return true;
        const k = a - firstAccess;
        const c = 1 + Math.floor(k / npage);
        const q = k % npage;
        return !tlbHas(s, c, q) || get(s, frame[q]!) === INUSE;
      },
    },
  ];
  if (p.checkFree) {
    invariants.push({
      id: 'no-stale-tlb-at-free',
      statement: "when a frame is freed, no CPU's TLB maps it (P2)",
      holdsOnStep(s, a) {
        const op = program[a];
        if (a >= firstAccess || !op || op.kind !== 'free') return true;
        for (let c = 1; c < ncpu; c++) if (tlbHas(s, c, op.page)) return false;
        return true;
      },
    });
  }

  const rows = new Uint32Array(naccessor);

  // Components for partial-order reduction: upc, pte[p], frame[p], tlb row of each accessor.
  const UPC = 0;
  const PTE = (q: number): number => 1 + q;
  const FRM = (q: number): number => 1 + npage + q;
  const TLB = (c: number): number => 1 + 2 * npage + (c - 1);
  const allTlb = Array.from({ length: naccessor }, (_, i) => TLB(i + 1));
  const reads: number[][] = [];
  const writes: number[][] = [];
  program.forEach((op) => {
    reads.push(op.kind === 'free' ? [UPC, ...allTlb] : [UPC]); // P2 reads every TLB at free(p)
    writes.push(op.kind === 'clear' ? [UPC, PTE(op.page)] : op.kind === 'free' ? [UPC, FRM(op.page)] : [UPC, ...allTlb]);
  });
  for (let c = 1; c < ncpu; c++) {
    for (let q = 0; q < npage; q++) {
      reads.push([TLB(c), PTE(q), FRM(q)]); // the frame: the P1 check
      writes.push([TLB(c)]);
    }
  }
  for (let q = 0; q < npage; q++) {
    reads.push([FRM(q)]);
    writes.push([FRM(q)]);
  }
  const unmapperFuture = program.map((_, k) => k);

  return {
    name: 'tlb-mini',
    stateWords: W,
    agents,
    actions,
    invariants,
    initialStates() {
      const s = new Uint32Array(W);
      for (let q = 0; q < npage; q++) set(s, pte[q]!, 1);
      return [s];
    },
    step(s: State, a: number, out: State): boolean {
      if (a < firstAccess) {
        if (get(s, upc) !== a) return false;
        for (let i = 0; i < W; i++) out[i] = s[i]!;
        set(out, upc, a + 1);
        const op = program[a]!;
        if (op.kind === 'clear') set(out, pte[op.page]!, 0);
        else if (op.kind === 'free') set(out, frame[op.page]!, FREED);
        else for (const f of tlb) set(out, f, 0);
        return true;
      }
      if (a < firstReuse) {
        const k = a - firstAccess;
        const c = 1 + Math.floor(k / npage);
        const q = k % npage;
        for (let i = 0; i < W; i++) out[i] = s[i]!;
        // A hit is an access (no change); a miss on a present PTE fills the TLB; else the fault fails.
        if (!tlbHas(s, c, q) && get(s, pte[q]!) === 1) {
          const f = tlb[c - 1]!;
          set(out, f, get(s, f) | (1 << q));
        }
        return true;
      }
      const q = a - firstReuse;
      if (get(s, frame[q]!) !== FREED) return false;
      for (let i = 0; i < W; i++) out[i] = s[i]!;
      set(out, frame[q]!, REUSED);
      return true;
    },
    isFinal: (s) => get(s, upc) === DONE,
    independence: {
      reads,
      writes,
      futureActions(s: State, agent: number): readonly number[] {
        // The unmapper's program only moves forward; the allocator only reuses freed frames.
        if (agent === 0) return unmapperFuture.slice(get(s, upc));
        if (agent === ncpu) {
          const out: number[] = [];
          for (let q = 0; q < npage; q++) if (get(s, frame[q]!) !== REUSED) out.push(firstReuse + q);
          return out;
        }
        const base = firstAccess + (agent - 1) * npage;
        return Array.from({ length: npage }, (_, q) => base + q);
      },
    },
    canonicalize(s: State, out: State): void {
      // Accessor CPUs are interchangeable: sort their TLB rows.
      for (let i = 0; i < W; i++) out[i] = s[i]!;
      for (let i = 0; i < naccessor; i++) rows[i] = get(s, tlb[i]!);
      rows.sort();
      for (let i = 0; i < naccessor; i++) set(out, tlb[i]!, rows[i]!);
    },
    decode: (s) => ({
      upc: get(s, upc),
      next: get(s, upc) < DONE ? actions[get(s, upc)]!.name : 'done',
      pte: pte.map((f) => get(s, f) === 1),
      frame: frame.map((f) => FRAME[get(s, f)] ?? '?'),
      tlb: Object.fromEntries(tlb.map((f, i) => [`cpu${i + 1}`, Array.from({ length: npage }, (_, q) => ((get(s, f) >>> q) & 1) === 1)])),
    }),
  };
}

export const tlbMiniFactory: ModelFactory = {
  id: 'tlb-mini',
  summary: 'the peers\' minimal TLB-shootdown race (BUGGY violates, FIXED holds)',
  params: [
    { name: 'ncpu', description: 'CPUs (CPU 0 unmaps, the others access)', kind: 'int', default: 3, min: 2, max: 16 },
    { name: 'npage', description: 'pages (page p maps frame p)', kind: 'int', default: 2, min: 1, max: 8 },
    { name: 'variant', description: 'unmapper order', kind: 'enum', default: 'fixed', values: ['buggy', 'fixed'] },
    { name: 'check-free', description: 'check P2 when a frame is freed', kind: 'bool', default: true },
  ],
  properties: [
    { id: 'no-access-after-free', statement: 'no access through a TLB reaches a frame that is freed or reused (P1)' },
    { id: 'no-stale-tlb-at-free', statement: "when a frame is freed, no CPU's TLB maps it (P2)" },
  ],
  validate(p) {
    const bits = ((p['ncpu'] as number) - 1) * (p['npage'] as number);
    return bits > 31 * 8 ? 'tlb-mini: (ncpu-1)*npage must be at most 248' : undefined;
  },
  create: (p) =>
    tlbMini({
      ncpu: p['ncpu'] as number,
      npage: p['npage'] as number,
      variant: p['variant'] as 'buggy' | 'fixed',
      checkFree: p['check-free'] as boolean,
    }),
};

/** Closed form of the FIXED variant's reachable states (../shared/peers). */
export function tlbMiniFixedStates(ncpu: number, npage: number): number {
  return (npage + 1) * 2 ** ((ncpu - 1) * npage) + 2 ** (npage + 1) - 1;
}
