/**
 * ia64 2.6.37: pages are batched and freed after ia64_tlb_flush_mmu's flush,
 * but __pte_free_tlb is pte_free: the page table goes back at once, before
 * any flush, the shift_arg_pages problem Peter points at (L132-L152).
 */
import { defineBackend, genericHooks, PLAIN_FLUSH, rangeTrackingHooks } from '../backend.ts';

export default defineBackend({
  id: 'ia64-2.6.37',
  summary: 'ia64 2.6.37: pages batched until the flush, but pte_free_tlb frees the table at once (before any flush)',
  source: 'L132-L152',
  hardware: { tlb: 'broadcast', walkCache: false, icache: 'coherent', speculativeWalks: true },
  gupRef: 'get_page',
  flush: PLAIN_FLUSH,
  hooks: {
    ...genericHooks,
    tlb_remove_tlb_entry: rangeTrackingHooks.tlb_remove_tlb_entry,
    pte_free_tlb(tlb, table) {
      tlb.need_flush = true;
      tlb.freeTable(table, 'pte_free');
    },
    tlb_flush(tlb) {
      // ia64_tlb_flush_mmu: fullmm -> flush_tlb_mm, else the tracked range.
      if (tlb.fullmm || !tlb.hasRange) tlb.flush_tlb_mm();
      else tlb.flush_tlb_range(null, tlb.range_start, tlb.range_end);
      tlb.resetRange();
    },
  },
});
