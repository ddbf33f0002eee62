/**
 * Peter's HAVE_MMU_GATHER_RANGE: one range tracked over every VMA and every
 * freed page table, and one flush_tlb_range(mm, start, end) before freeing.
 */
import { defineBackend, genericHooks, PLAIN_FLUSH, rangeTrackingHooks } from '../backend.ts';

export default defineBackend({
  id: 'generic-range',
  summary: 'HAVE_MMU_GATHER_RANGE proposal: track one range over all VMAs and freed tables; one flush_tlb_range(mm) before freeing',
  source: 'L426-L433, L455-L457',
  hardware: { tlb: 'ipi', walkCache: false, icache: 'coherent', speculativeWalks: true },
  gupRef: 'speculative',
  flush: PLAIN_FLUSH,
  hooks: {
    ...genericHooks,
    // The range of a freed table is everything it maps, not one page.
    ...rangeTrackingHooks,
    tlb_flush(tlb) {
      if (tlb.hasRange) tlb.flush_tlb_range(null, tlb.range_start, tlb.range_end);
      else tlb.flush_tlb_mm();
      tlb.resetRange();
    },
  },
});
