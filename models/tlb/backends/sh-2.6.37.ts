/**
 * sh 2.6.37: like ARM before 06824ba8, pages and page tables are freed at
 * once; tlb_end_vma flushes the tracked range and tlb_finish_mmu flushes only
 * for fullmm, so shift_arg_pages frees a table with no flush at all (L132-L152).
 */
import { defineBackend, genericHooks, PLAIN_FLUSH } from '../backend.ts';

export default defineBackend({
  id: 'sh-2.6.37',
  summary: 'sh 2.6.37: pages and tables freed at once; range flush at tlb_end_vma; flush_tlb_mm at finish only for fullmm',
  source: 'L132-L152',
  hardware: { tlb: 'ipi', walkCache: false, icache: 'coherent', speculativeWalks: false },
  gupRef: 'get_page',
  flush: PLAIN_FLUSH,
  hooks: {
    ...genericHooks,
    tlb_start_vma(tlb) {
      if (!tlb.fullmm) tlb.resetRange();
    },
    tlb_remove_tlb_entry(tlb, _vma, page) {
      tlb.track(page, page + 1);
    },
    tlb_remove_page(tlb, page) {
      tlb.freePage(page, 'free_page_and_swap_cache');
    },
    tlb_end_vma(tlb, vma) {
      if (!tlb.fullmm && tlb.hasRange) tlb.flush_tlb_range(vma, tlb.range_start, tlb.range_end);
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
