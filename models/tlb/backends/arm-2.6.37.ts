/**
 * ARM before 06824ba8 (2.6.37): pages and page tables are freed at once,
 * before any TLB invalidate; tlb_end_vma flushes the VMA's range; the only
 * other flush is flush_tlb_mm at tlb_finish_mmu for fullmm (L16-L70, L548-L560).
 */
import { defineBackend, genericHooks, PLAIN_FLUSH } from '../backend.ts';

export default defineBackend({
  id: 'arm-2.6.37',
  summary: 'ARM before 06824ba8: tlb_remove_page and pte_free_tlb free at once; flush_tlb_range at tlb_end_vma; flush_tlb_mm at finish only for fullmm',
  source: 'L16-L70, L548-L560',
  hardware: { tlb: 'ipi', walkCache: false, icache: 'coherent', speculativeWalks: true },
  gupRef: 'get_page',
  flush: PLAIN_FLUSH,
  hooks: {
    ...genericHooks,
    tlb_remove_tlb_entry() {},
    tlb_remove_page(tlb, page) {
      tlb.freePage(page, 'free_page_and_swap_cache');
    },
    tlb_end_vma(tlb, vma) {
      if (!tlb.fullmm) tlb.flush_tlb_range(vma, vma.start, vma.end);
    },
    pte_free_tlb(tlb, table) {
      tlb.freeTable(table, 'pte_free');
    },
    tlb_flush_mmu() {},
    tlb_finish_mmu(tlb) {
      if (tlb.fullmm) tlb.flush_tlb_mm();
    },
  },
});
