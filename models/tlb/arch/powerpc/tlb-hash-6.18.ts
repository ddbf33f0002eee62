/**
 * powerpc book3s64 with the hash MMU, v6.18: asm/book3s/64/tlbflush-hash.h,
 * arch/powerpc/mm/book3s64/hash_tlb.c (hpte_need_flush, __flush_tlb_pending)
 * and asm/tlb.h. Read in torvalds/linux @05909cd9 and raspberrypi/linux
 * @0bec3798.
 *
 * - The hardware walks the hashed page table, never the Linux tables. The
 *   refill that reads the Linux tables is software (hash_page ->
 *   find_linux_pte) with interrupts off: it holds off IPIs and RCU, and no
 *   flush ends it.
 * - Each PTE change (pte_update) calls hpte_need_flush: inside a lazy-MMU
 *   section the address joins ppc64_tlb_batch, flushed by
 *   arch_leave_lazy_mmu_mode before the PTL is dropped; outside one it is
 *   flushed at once. The flush is tlbie, broadcast.
 * - flush_tlb_mm, flush_tlb_range and flush_tlb_page do nothing on hash;
 *   hash__tlb_flush flushes what is left in the batch.
 * - tlb_needs_table_invalidate() is false: no walk cache of Linux tables;
 *   tables are freed after an RCU grace period.
 */
import { defineBackend } from '../../backend.ts';
import type { KernelBuilder } from '../../kernel/builder.ts';
import type { Exec } from '../../kernel/exec.ts';
import { genericMmuGather, type MmuGatherOps } from '../../mm/mmu_gather.ts';
import type { TlbFlushOps } from '../../asm-generic/tlbflush.ts';
import { flushLazyMmuBatch, lazyMmuBatch, type PgtableOps } from '../../asm-generic/pgtable.ts';
import { maskList } from '../../kernel/builder.ts';
import { select } from '../../types.ts';

function flushHashRange(k: KernelBuilder, pages: (x: Exec) => number, name: string): void {
  const m = k.m;
  k.invalidate(
    name,
    (x) => ({ pages: pages(x), regions: 0, reach: 'mm', delivery: 'broadcast', leaf: m.realPagesOfMask(pages(x)), all: 0, full: 0 }),
    (x) => `invalidate the HPTEs of page${pages(x) & (pages(x) - 1) ? 's' : ''} ${maskList(pages(x))} and tlbie them`,
    (x) => `flush_hash p${maskList(pages(x))}`,
  );
}

const hashTlbFlush: TlbFlushOps = {
  lazyTlb: 'none',
  flush_tlb_mm() {},
  flush_tlb_range() {},
  flush_tlb_page() {},
};

const hashPgtable: PgtableOps = {
  ...lazyMmuBatch({ flush: flushHashRange, add: 'hpte_need_flush', flushName: '__flush_tlb_pending', skipFullmm: false }),
  pmdp_collapse_flush(k, r, clear) {
    // hash__pmdp_collapse_flush: clear the pmd, serialize_against_pte_lookup (an IPI to every CPU of the mm
    // that waits for the interrupts-off lookups), then flush the HPTEs of the old PTE table.
    const m = k.m;
    clear();
    k.tlb_remove_table_sync_one('serialize_against_pte_lookup');
    flushHashRange(k, () => m.pagesOfRegions(1 << r), 'flush_hash_table_pmd_range');
  },
};

const hashMmuGather: MmuGatherOps = {
  ...genericMmuGather,
  tlb_needs_table_invalidate: false,
  tlb_flush(k) {
    // hash__tlb_flush: flush what ppc64_tlb_batch still holds.
    flushLazyMmuBatch(k, 'hash__tlb_flush', flushHashRange, '__flush_tlb_pending');
  },
};

export default defineBackend({
  id: 'powerpc-hash-6.18',
  kernel: 'v6',
  summary: 'powerpc book3s64 hash v6.18: no hardware walk of Linux tables (software refill with interrupts off), HPTE flush per PTE change at lazy-MMU leave under the PTL, no-op flush_tlb_*, tlb_needs_table_invalidate false, RCU table freeing',
  source: 'MODERN §4.3; arch/powerpc/include/asm/book3s/64/tlbflush-hash.h, arch/powerpc/mm/book3s64/hash_tlb.c, asm/tlb.h',
  tree: 'torvalds/linux @05909cd9, raspberrypi/linux @0bec3798 (asm/tlb.h); linux-next @070c06cd (Kconfig)',
  hardware: { tlb: 'broadcast', walkCache: false, icache: 'coherent', speculativeWalks: false, walkerIrqsOff: true },
  gupRef: 'speculative',
  flush: { range: 'per-page', rangeICache: 'never', mmICache: false },
  kconfig: select(
    'MMU_GATHER_TABLE_FREE',
    'MMU_GATHER_RCU_TABLE_FREE',
    'MMU_GATHER_MERGE_VMAS',
    'MMU_GATHER_PAGE_SIZE',
    'HAVE_GUP_FAST',
  ),
  hooks: hashMmuGather,
  tlbflush: hashTlbFlush,
  pgtable: hashPgtable,
});
