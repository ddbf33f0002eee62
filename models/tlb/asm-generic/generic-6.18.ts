/**
 * The generic mm code of v6.18 (mm/mmu_gather.c, include/asm-generic/tlb.h,
 * mm/memory.c, mm/vma.c, mm/madvise.c, mm/mprotect.c, mm/mremap.c,
 * mm/rmap.c, mm/vmscan.c) on an arch that keeps every asm-generic default:
 * tlb_flush is the generic one (flush_tlb_mm for fullmm, else
 * flush_tlb_range over the gathered range), page tables go through the
 * page batch (no MMU_GATHER_TABLE_FREE), flush_tlb_range invalidates per
 * page and drops the walk-cache entries of the regions it covers, IPI
 * delivery. Reclaim's batched flush is on (ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH)
 * with the simplest arch side: add_pending records the mm, arch_tlbbatch_flush
 * flushes the whole mm on every CPU. `--tlb broadcast` gives the same mm
 * code on broadcast-TLBI hardware.
 */
import { defineBackend, PLAIN_FLUSH } from '../backend.ts';
import { genericMmuGather } from '../mm/mmu_gather.ts';
import { select } from '../types.ts';

export default defineBackend({
  id: 'generic-6.18',
  kernel: 'v6',
  summary: 'v6.18 generic mm code with every asm-generic default: generic tlb_flush, tables through the page batch, IPI delivery, batched reclaim flush',
  source: 'MODERN §1-§3; mm/mmu_gather.c, mm/memory.c, mm/vma.c, mm/madvise.c, mm/mprotect.c, mm/mremap.c, mm/rmap.c, mm/vmscan.c',
  hardware: { tlb: 'ipi', walkCache: false, icache: 'coherent', speculativeWalks: true },
  gupRef: 'speculative',
  flush: PLAIN_FLUSH,
  kconfig: select(
    'ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH',
    'HAVE_GUP_FAST',
    'HAVE_MOVE_PMD',
  ),
  hooks: genericMmuGather,
});
