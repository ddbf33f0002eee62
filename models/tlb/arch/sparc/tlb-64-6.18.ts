/**
 * sparc64 as of v6.18: arch/sparc/include/asm/tlb_64.h, arch/sparc/mm/tlb.c
 * (tlb_batch_add, flush_tlb_pending) and arch/sparc/kernel/tsb.S. Read in
 * linux-mm @9c22e6bb (tlb.c), torvalds/linux @0ed13259 (tlb_64.h) and
 * linux-next @24a05eda (Kconfig).
 *
 * - The TSB-miss handler walks the Linux page tables in software, at trap
 *   level 1 with interrupts off: it holds off cross-calls and RCU, and no
 *   flush ends it. No walk cache of Linux tables: tlb_needs_table_invalidate
 *   is false, and tables are freed after an RCU grace period.
 * - Each PTE change (set_pte_at of a valid PTE) calls tlb_batch_add:
 *   nothing for a fullmm gather (the context number dies with the mm);
 *   inside a lazy-MMU section the address joins the per-CPU batch that
 *   arch_leave_lazy_mmu_mode flushes (flush_tlb_pending), before the PTL is
 *   dropped; outside one it is flushed at once. The flush cross-calls
 *   mm_cpumask (IPIs that wait).
 * - tlb_flush = flush_tlb_pending; tlb_start_vma and tlb_end_vma are empty.
 * - No HAVE_GUP_FAST.
 */
import { defineBackend } from '../../backend.ts';
import type { KernelBuilder } from '../../kernel/builder.ts';
import type { Exec } from '../../kernel/exec.ts';
import { genericMmuGather, type MmuGatherOps } from '../../mm/mmu_gather.ts';
import type { TlbFlushOps } from '../../asm-generic/tlbflush.ts';
import { flushLazyMmuBatch, lazyMmuBatch } from '../../asm-generic/pgtable.ts';
import { maskList } from '../../kernel/builder.ts';
import { select } from '../../types.ts';

function smpFlushTlbPending(k: KernelBuilder, pages: (x: Exec) => number, name: string): void {
  const m = k.m;
  k.invalidate(
    name,
    (x) => ({ pages: pages(x), regions: 0, reach: 'mm', delivery: m.config.hw.tlb, leaf: m.realPagesOfMask(pages(x)), all: 0, full: 0 }),
    (x) => `flush_tsb_user and demap page${pages(x) & (pages(x) - 1) ? 's' : ''} ${maskList(pages(x))} (cross-call to mm_cpumask)`,
    (x) => `demap p${maskList(pages(x))}`,
  );
}

const sparcTlbFlush: TlbFlushOps = {
  lazyTlb: 'none',
  // flush_tlb_mm and flush_tlb_range are empty: every PTE change already went through tlb_batch_add.
  flush_tlb_mm() {},
  flush_tlb_range() {},
  flush_tlb_page() {},
};

const sparcMmuGather: MmuGatherOps = {
  ...genericMmuGather,
  tlb_needs_table_invalidate: false,
  tlb_start_vma() {},
  tlb_end_vma() {},
  tlb_flush(k) {
    flushLazyMmuBatch(k, 'flush_tlb_pending', smpFlushTlbPending, 'smp_flush_tlb_pending');
  },
};

export default defineBackend({
  id: 'sparc64-6.18',
  kernel: 'v6',
  summary: 'sparc64 v6.18: software TSB-miss walker with interrupts off, tlb_batch_add queues each PTE change and flush_tlb_pending flushes at lazy-MMU leave under the PTL, nothing for fullmm, no walk cache, RCU table freeing, no gup_fast',
  source: 'MODERN §4.6; arch/sparc/include/asm/tlb_64.h, arch/sparc/mm/tlb.c, arch/sparc/kernel/tsb.S',
  tree: 'linux-mm/linux-mm @9c22e6bb (arch/sparc/mm/tlb.c), torvalds/linux @0ed13259 (tlb_64.h), linux-next @24a05eda (Kconfig)',
  hardware: { tlb: 'ipi', walkCache: false, icache: 'coherent', speculativeWalks: false, walkerIrqsOff: true },
  gupRef: 'speculative',
  flush: { range: 'per-page', rangeICache: 'never', mmICache: false },
  kconfig: select(
    'MMU_GATHER_TABLE_FREE',
    'MMU_GATHER_RCU_TABLE_FREE',
    'MMU_GATHER_MERGE_VMAS',
  ),
  hooks: sparcMmuGather,
  tlbflush: sparcTlbFlush,
  pgtable: {
    ...lazyMmuBatch({ flush: smpFlushTlbPending, add: 'tlb_batch_add', flushName: 'flush_tlb_pending', skipFullmm: true }),
    pmdp_collapse_flush(k, r, clear) {
      // set_pmd_at of the cleared pmd: tlb_batch_pmd_scan flushes every valid PTE of the old table.
      const m = k.m;
      clear();
      smpFlushTlbPending(k, () => m.pagesOfRegions(1 << r), 'tlb_batch_pmd_scan');
    },
  },
});
