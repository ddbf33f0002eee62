/**
 * ARM before 06824ba8 (arch/arm/include/asm/tlb.h, 2.6.37): tlb_remove_page
 * and pte_free_tlb free at once; tlb_end_vma does flush_tlb_range;
 * tlb_finish_mmu flushes only for fullmm (L16-L70, L548-L560).
 */
import { defineBackend, PLAIN_FLUSH } from '../../backend.ts';
import { genericHooks } from '../../asm-generic/tlb-2011.ts';

export default defineBackend({
  id: 'arm-2.6.37',
  kernel: '2011',
  summary: 'ARM before 06824ba8: tlb_remove_page and pte_free_tlb free at once; flush_tlb_range at tlb_end_vma; flush_tlb_mm at finish only for fullmm',
  source: 'L16-L70, L548-L560',
  hardware: { tlb: 'ipi', walkCache: false, icache: 'coherent', speculativeWalks: true },
  gupRef: 'get_page',
  flush: PLAIN_FLUSH,
  hooks: {
    ...genericHooks,
    tlb_remove_tlb_entry() {},
    tlb_remove_page(k, page) {
      const K = k.g.pages;
      k.free_page((x) => page(x) % K, 'free_page_and_swap_cache');
    },
    tlb_end_vma(k, vma) {
      k.if(
        (x) => !x.tlb.fullmm,
        () => k.flush_tlb_range(() => vma.index, () => vma.start, () => vma.end),
      );
    },
    pte_free_tlb(k, table) {
      k.free_table(() => table, 'pte_free');
    },
    tlb_flush_mmu() {},
    tlb_finish_mmu(k) {
      k.if(
        (x) => x.tlb.fullmm,
        () => k.flush_tlb_mm(),
      );
    },
  },
});
