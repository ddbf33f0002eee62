/**
 * The predicates of the TLB invariants. Each is a check of one transition
 * (s --a--> t), since every property speaks of an event: a free, an access,
 * a walk's read, a return. They read the state only through the machine's
 * accessors, so the state layout can change without touching them, and they
 * decide from what the step did (a frame went free, a reference is now
 * held), never by repeating the model's own conditions.
 */
import { get } from '../src/engine/layout.ts';
import type { Invariant, State } from '../src/engine/model.ts';
import { Kind, type TlbMachine } from '../models/tlb/machine.ts';
import { GUP_IRQ_ON, GUP_PUT, GUP_READ_PTE, GUP_RECHECK } from '../models/tlb/mm/gup.ts';
import { FREE, LIVE, PTE_DIRTY, PTE_PRESENT, PTE_WRITE, REUSED } from '../models/tlb/state.ts';
import { TLB_PROPERTIES, type TlbPropertyId } from './index.ts';

type StepCheck = (s: State, a: number, t: State) => boolean;
type Checked = Exclude<TlbPropertyId, 'no-deadlock'>;

export function tlbInvariants(m: TlbMachine): Invariant[] {
  const { K, N, TF, g } = m;
  const gone = (st: number): boolean => st === FREE || st === REUSED;
  /** Per data frame: the virtual pages that map it (bit mask). */
  const pagesOf: number[] = Array.from({ length: K }, (_, f) => {
    let mask = 0;
    for (let v = 0; v < g.vpages; v++) if (v % K === f) mask |= 1 << v;
    return mask;
  });
  /** Per table frame: the regions whose pmd points at it (bit mask). */
  const regionsOf: number[] = Array.from({ length: TF }, (_, t) => {
    let mask = 0;
    for (let r = 0; r < g.regions; r++) if (g.tableOf[r] === t) mask |= 1 << r;
    return mask;
  });
  const kernelInstr = (s: State, a: number) => (m.kind[a] === Kind.Kernel ? m.kagents[m.argOf[a]!]!.next(s) : undefined);

  const checks: Record<Checked, StepCheck> = {
    'no-stale-tlb-at-free'(s, a, t) {
      if (m.kind[a] !== Kind.Kernel && m.kind[a] !== Kind.GupStep) return true;
      for (let f = 0; f < K; f++) {
        if (m.frameState(s, f) !== LIVE || m.frameState(t, f) !== FREE) continue;
        for (let c = 0; c < N; c++) if ((m.tlbMask(s, c) & pagesOf[f]!) !== 0) return false;
      }
      return true;
    },
    'no-access-after-free'(s, a) {
      const k = m.kind[a];
      const c = m.cpuOf[a]!;
      const v = m.argOf[a]!;
      if (k === Kind.Read || k === Kind.Exec) return !(m.tlbHas(s, c, v) && gone(m.frameState(s, m.frameOf(v))));
      if (k === Kind.Write) return !(m.tlbWritable(s, c, v) && gone(m.frameState(s, m.frameOf(v))));
      if (k === Kind.WalkPte) {
        const p = m.walkPage(s, c);
        const table = m.tableFrame(g.tableOf[g.regionOf[p]!]!);
        // A walk that fills the TLB reaches the frame its PTE points at.
        return !(m.frameState(s, table) === LIVE && m.ptePresent(s, g.slotOf[p]!) && gone(m.frameState(s, m.frameOf(p))));
      }
      return true;
    },
    'no-walk-cache-after-table-free'(s, a, t) {
      if (m.kind[a] !== Kind.Kernel && m.kind[a] !== Kind.RcuFree) return true;
      for (let x = 0; x < TF; x++) {
        const f = m.tableFrame(x);
        if (m.frameState(s, f) !== LIVE || m.frameState(t, f) !== FREE) continue;
        for (let c = 0; c < N; c++) {
          const wc = m.wcF[c];
          if (wc && (get(s, wc) & regionsOf[x]!) !== 0) return false;
        }
      }
      return true;
    },
    'no-usable-stale-tlb-at-free'(s, a, t) {
      if (m.kind[a] !== Kind.Kernel && m.kind[a] !== Kind.GupStep) return true;
      for (let f = 0; f < K; f++) {
        if (m.frameState(s, f) !== LIVE || m.frameState(t, f) !== FREE) continue;
        for (let c = 0; c < N; c++) if (m.usable(s, c) && (m.tlbMask(s, c) & pagesOf[f]!) !== 0) return false;
      }
      return true;
    },
    'no-usable-walk-cache-after-table-free'(s, a, t) {
      if (m.kind[a] !== Kind.Kernel && m.kind[a] !== Kind.RcuFree) return true;
      for (let x = 0; x < TF; x++) {
        const f = m.tableFrame(x);
        if (m.frameState(s, f) !== LIVE || m.frameState(t, f) !== FREE) continue;
        for (let c = 0; c < N; c++) {
          const wc = m.wcF[c];
          if (wc && m.usable(s, c) && (get(s, wc) & regionsOf[x]!) !== 0) return false;
        }
      }
      return true;
    },
    'no-walk-of-freed-table'(s, a) {
      const k = m.kind[a];
      const c = m.cpuOf[a]!;
      if (k === Kind.WalkPte) {
        const p = m.walkPage(s, c);
        return m.frameState(s, m.tableFrame(g.tableOf[g.regionOf[p]!]!)) === LIVE;
      }
      if (k === Kind.GupStep) {
        const st = m.gupStage(s, c);
        if (st !== GUP_READ_PTE && st !== GUP_RECHECK) return true;
        return m.frameState(s, m.tableFrame(g.tableOf[g.regionOf[m.gupPage(s, c)]!]!)) === LIVE;
      }
      if (k === Kind.Kernel) {
        // A kernel path still walking a table that is no longer the mm's: it holds that table's PTL
        // (which lives in the table's struct ptdesc) and reads, changes or unlocks inside it.
        const ptl = m.kagents[m.argOf[a]!]!.ptl;
        if (!ptl) return true;
        const held = get(s, ptl);
        for (let x = 0; x < TF; x++) if ((held >>> x) & 1 && m.frameState(s, m.tableFrame(x)) !== LIVE) return false;
      }
      return true;
    },
    'no-stale-icache'(s, a) {
      if (m.kind[a] !== Kind.Exec && m.kind[a] !== Kind.ExecNew) return true;
      const f = m.frameOf(m.argOf[a]!);
      const line = m.icLine(s, m.cpuOf[a]!, f);
      return line === 0 || line === m.frameGen(s, f) + 1;
    },
    'tlb-coherent-at-return'(s, a) {
      const ins = kernelInstr(s, a);
      if (!ins || ins.kind !== 'return') return true;
      const ag = m.kagents[m.argOf[a]!]!;
      if (ag.revokes === 'none') return true;
      const revoked = get(s, ag.revoked);
      if (revoked === 0) return true;
      // Stale: a translation the page tables no longer grant (no PTE; or a writable entry for a PTE
      // that is not writable and dirty any more). mprotect and MADV_FREE revoke only the right to
      // write without the kernel noticing: a read-only entry does not break their promise. A page
      // written again since (a write walk re-dirtied it) is no longer revoked (hw/walker.ts).
      let noPte = 0;
      let noWrite = 0;
      for (let v = 0; v < g.vpages; v++) {
        if (!((revoked >>> v) & 1)) continue;
        const bits = m.pteBits(s, g.slotOf[v]!);
        if (!(bits & PTE_PRESENT)) noPte |= 1 << v;
        if ((bits & (PTE_PRESENT | PTE_WRITE | PTE_DIRTY)) !== (PTE_PRESENT | PTE_WRITE | PTE_DIRTY)) noWrite |= 1 << v;
      }
      const writeOnly = ag.revokes === 'write';
      for (let c = 0; c < N; c++) {
        // A CPU that must flush before it can use the mm again holds nothing usable (MODERN §6).
        if (!m.usable(s, c)) continue;
        if (!writeOnly && (m.tlbMask(s, c) & noPte) !== 0) return false;
        const d = m.tlbDF[c];
        if (d && (get(s, d) & noWrite) !== 0) return false;
      }
      return true;
    },
    'gup-fast-no-freed-ref'(s, a, t) {
      // Decided from the outcome: after this step gup_fast keeps its reference (it leaves the
      // interrupts-off section holding it) on a frame that is free or someone else's.
      const c = m.cpuOf[a]!;
      if (m.kind[a] !== Kind.GupStep) return true;
      if (m.gupStage(t, c) !== GUP_IRQ_ON || m.gupStage(s, c) === GUP_IRQ_ON) return true;
      const v = m.gupPage(t, c);
      if (gone(m.frameState(t, m.frameOf(v)))) return false;
      // Today's I7 (MODERN's table): the frame must still be mapped at that address when gup_fast keeps it.
      if (!m.feat.v6) return true;
      const r = g.regionOf[v]!;
      return m.pmdTable(t, r) && m.frameState(t, m.tableFrame(g.tableOf[r]!)) === LIVE && m.ptePresent(t, g.slotOf[v]!);
    },
    'no-copy-of-pinned-page'(s, a) {
      const ins = kernelInstr(s, a);
      if (!ins || ins.copies === undefined) return true;
      const f = ins.copies(m.kagents[m.argOf[a]!]!.view(s));
      if (f < 0 || !m.feat.gup) return true;
      // Only a reference gup_fast keeps (its recheck passed): a speculative one fails the recheck against the cleared PTE.
      for (let c = 0; c < N; c++) {
        const st = m.gupStage(s, c);
        if ((st === GUP_IRQ_ON || st === GUP_PUT) && m.frameOf(m.gupPage(s, c)) === f) return false;
      }
      return true;
    },
    'no-write-during-writeback'(s, a) {
      const ins = kernelInstr(s, a);
      if (!ins || ins.kind !== 'io' || ins.subject === undefined) return true;
      const f = ins.subject(m.kagents[m.argOf[a]!]!.view(s));
      if (f < 0) return true;
      const mask = pagesOf[f]!;
      for (let c = 0; c < N; c++) {
        if (!m.usable(s, c)) continue;
        const d = m.tlbDF[c];
        if (d && (get(s, d) & mask) !== 0) return false;
      }
      return true;
    },
  };

  /** The action kinds each property speaks about: the engine skips the others. */
  const kinds: Record<Checked, readonly Kind[]> = {
    'no-stale-tlb-at-free': [Kind.Kernel, Kind.GupStep],
    'no-access-after-free': [Kind.Read, Kind.Write, Kind.Exec, Kind.WalkPte],
    'no-walk-cache-after-table-free': [Kind.Kernel, Kind.RcuFree],
    'no-walk-of-freed-table': [Kind.WalkPte, Kind.GupStep, Kind.Kernel],
    'no-stale-icache': [Kind.Exec, Kind.ExecNew],
    'tlb-coherent-at-return': [Kind.Kernel],
    'gup-fast-no-freed-ref': [Kind.GupStep],
    'no-write-during-writeback': [Kind.Kernel],
    'no-copy-of-pinned-page': [Kind.Kernel],
    'no-usable-stale-tlb-at-free': [Kind.Kernel, Kind.GupStep],
    'no-usable-walk-cache-after-table-free': [Kind.Kernel, Kind.RcuFree],
  };
  // With context switches the strict 1 and 3 give way to their usable-context refinements; without, they are the same.
  const refined: Record<string, string> = { 'no-stale-tlb-at-free': 'no-usable-stale-tlb-at-free', 'no-walk-cache-after-table-free': 'no-usable-walk-cache-after-table-free' };
  const left = new Set(m.feat.ctx ? Object.keys(refined) : Object.values(refined));

  return TLB_PROPERTIES.filter((p) => p.id !== 'no-deadlock' && !left.has(p.id)).map((p) => {
    const id = p.id as Checked;
    return {
      id,
      statement: p.statement,
      holdsOnStep: checks[id],
      appliesTo: (a: number) => kinds[id].includes(m.kind[a] as Kind),
    };
  });
}
