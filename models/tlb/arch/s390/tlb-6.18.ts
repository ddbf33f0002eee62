/**
 * s390 as of v6.18: arch/s390/include/asm/tlb.h (MMU_GATHER_NO_GATHER),
 * asm/tlbflush.h and arch/s390/mm/pgtable.c (ptep_xchg_lazy,
 * ptep_xchg_direct). Read in linux-mm @c40a11d2 (tlb.h), raspberrypi/linux
 * @68130f12 (tlbflush.h) and linux-next @09691f6b (pgtable.c).
 *
 * - The TLB is purged when a PTE is cleared: IPTE, which every CPU obeys
 *   at once. Alone on the mm (cpu_attach_mask is this CPU), a lazy clear
 *   only marks the PTE invalid and sets mm->context.flush_mm; a direct one
 *   (ptep_clear_flush) purges locally. A fullmm clear purges nothing.
 * - No gather: pages are freed at once (__tlb_remove_folio_pages).
 * - pte_free_tlb sets flush_mm and freed_tables and hands the table to
 *   tlb_remove_table (RCU); tlb_flush is __tlb_flush_mm_lazy: IDTE for the
 *   whole ASCE (TLB and the region/segment entries) if flush_mm is set.
 * - flush_tlb_mm and flush_tlb_range are __tlb_flush_mm_lazy too;
 *   flush_tlb_page does nothing (the IPTE did it).
 */
import { defineBackend } from '../../backend.ts';
import { get, set } from '../../../../src/engine/layout.ts';
import type { KernelBuilder } from '../../kernel/builder.ts';
import type { Exec } from '../../kernel/exec.ts';
import type { Slot } from '../../kernel/slot.ts';
import { genericMmuGather, type MmuGatherOps } from '../../mm/mmu_gather.ts';
import type { TlbFlushOps } from '../../asm-generic/tlbflush.ts';
import type { PgtableOps } from '../../asm-generic/pgtable.ts';
import { CTX_OTHER } from '../../state.ts';
import { select } from '../../types.ts';

function flushMm(k: KernelBuilder): Slot {
  return k.mmField('flush_mm', 1);
}

/** Whether another CPU has the mm attached (cpu_attach_mask is not just this one). */
function othersAttached(x: Exec): boolean {
  const m = x.m;
  for (let c = 0; c < m.N; c++) if (c !== x.cpu && m.cpuCtx(x.st, c) !== CTX_OTHER) return true;
  return false;
}

/** __tlb_flush_mm_lazy: if flush_mm, IDTE for the ASCE on every CPU, and clear it. */
function tlbFlushMmLazy(k: KernelBuilder, name: string): void {
  const m = k.m;
  const f = flushMm(k);
  k.within('__tlb_flush_mm_lazy', () =>
    k.if(
      (x) => x.get(f) === 1,
      () => {
        k.invalidate(
          name,
          () => ({ pages: m.allPages, regions: m.allRegions, reach: 'mm', delivery: 'broadcast', leaf: 0, all: 0, full: 1 }),
          () => 'IDTE for the ASCE (every TLB entry of the mm and its region and segment entries); flush_mm := 0',
          () => 'IDTE',
        );
        k.local((x) => x.set(f, 0));
      },
    ),
  );
}

const s390Pgtable: PgtableOps = {
  pte_changed(k) {
    // Everything happens inside the instruction that changes the PTE (ptep_xchg below); declare its mm field.
    flushMm(k);
    k.mech('ipte');
  },
  ptep_xchg(x, page, full, direct) {
    // ptep_xchg_lazy / ptep_xchg_direct: IPTE invalidates the entry and purges the TLBs in one instruction.
    // A fullmm clear (ptep_get_and_clear_full) only marks the PTE invalid.
    const m = x.m;
    if (full) return;
    if (!m.config.without.has('ipte') && othersAttached(x)) {
      m.sendInvalidate(x, { pages: 1 << page, regions: 0, reach: 'mm', delivery: 'broadcast', leaf: m.spanOf(page), all: 0, full: 0 });
    } else if (direct) {
      m.sendInvalidate(x, { pages: 1 << page, regions: 0, reach: 'local', delivery: 'ipi', leaf: m.spanOf(page), all: 0, full: 0 });
    } else {
      // Alone on the mm: mark it, purge later (__tlb_flush_mm_lazy).
      set(x.st, m.mmRec.find('flush_mm')!, 1);
    }
  },
  arch_enter_lazy_mmu_mode() {},
  arch_leave_lazy_mmu_mode() {},
  pmdp_collapse_flush(k, r, clear) {
    // pmdp_huge_get_and_clear -> pmdp_xchg_direct: IDTE for the segment, on every CPU, as the entry is cleared.
    const m = k.m;
    k.within('pmdp_xchg_direct', () => {
      clear();
      k.invalidate(
        'IDTE',
        () => ({ pages: m.pagesOfRegions(1 << r), regions: 1 << r, reach: 'mm', delivery: 'broadcast', leaf: 0, all: 1, full: 0 }),
        () => `IDTE for the segment of table ${m.g.tableOf[r]}: every TLB entry formed through it, and its segment entry, on every CPU`,
        () => 'IDTE segment',
      );
    });
  },
};

const s390TlbFlush: TlbFlushOps = {
  lazyTlb: 'none',
  flush_tlb_mm(k) {
    tlbFlushMmLazy(k, 'flush_tlb_mm');
  },
  flush_tlb_range(k) {
    tlbFlushMmLazy(k, 'flush_tlb_range');
  },
  flush_tlb_page() {},
};

const s390MmuGather: MmuGatherOps = {
  ...genericMmuGather,
  __tlb_remove_folio_pages(k, page) {
    // No gather: the page goes now (free_folio_and_swap_cache), and the batch is never full. The zap holds
    // the mapping's reference from the clear (this local runs in the clear's step) to the free.
    const m = k.m;
    const held = k.reg('nogather_held', 2 ** m.K - 1);
    k.agent.holdsFrame = (st, f) => ((get(st, held) >>> f) & 1) === 1;
    k.local((x) => x.set(held, x.get(held) | (1 << m.frameOf(page(x)))));
    k.step({
      kind: 'free',
      name: 'free_folio_and_swap_cache',
      label: (x) => `free ${m.frameName(m.frameOf(page(x)))} at once (no gather)`,
      short: (x) => `free frame ${m.frameOf(page(x))}`,
      run: (x) => {
        const f = m.frameOf(page(x));
        x.set(held, x.get(held) & ~(1 << f));
        m.releaseFrame(x.st, f);
      },
    });
    k.local((x) => {
      x.scratch = 0;
    });
  },
  pte_free_tlb(k, table, region) {
    const at = k.g.regionStart[region]!;
    const f = flushMm(k);
    k.local((x) => {
      x.tlb.adjustRange(at, at + 1);
      x.set(f, 1);
      x.tlb.freed_tables = true;
      x.tlb.cleared_pmds = true;
    });
    k.within('tlb_remove_ptdesc', () => k.within('tlb_remove_table', () => this.tlb_remove_table(k, table)));
  },
  tlb_flush(k) {
    tlbFlushMmLazy(k, 'tlb_flush');
  },
};

export default defineBackend({
  id: 's390-6.18',
  kernel: 'v6',
  summary: 's390 v6.18: MMU_GATHER_NO_GATHER, IPTE purges every CPU when a PTE is cleared (alone: flush_mm deferred), pages freed at once, tables by RCU after IDTE, nothing at a fullmm clear',
  source: 'MODERN §4.5; arch/s390/include/asm/tlb.h, asm/tlbflush.h, arch/s390/mm/pgtable.c',
  tree: 'linux-mm/linux-mm @c40a11d2 (asm/tlb.h), raspberrypi/linux @68130f12 (asm/tlbflush.h), linux-next @09691f6b (pgtable.c), @04bcef96 (Kconfig)',
  hardware: { tlb: 'broadcast', walkCache: true, icache: 'coherent', speculativeWalks: true },
  gupRef: 'speculative',
  flush: { range: 'per-page', rangeICache: 'never', mmICache: false },
  kconfig: select(
    'MMU_GATHER_TABLE_FREE',
    'MMU_GATHER_RCU_TABLE_FREE',
    'MMU_GATHER_MERGE_VMAS',
    'MMU_GATHER_NO_GATHER',
    'HAVE_GUP_FAST',
  ),
  hooks: s390MmuGather,
  tlbflush: s390TlbFlush,
  pgtable: s390Pgtable,
});
