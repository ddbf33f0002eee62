/**
 * Peter's HAVE_MMU_GATHER_RANGE: one range tracked over every VMA and every
 * freed page table, and one flush_tlb_range(mm, start, end) before freeing.
 */
import { defineBackend, genericHooks, PLAIN_FLUSH } from '../backend.ts';

export default defineBackend({
  id: 'generic-range',
  summary: 'HAVE_MMU_GATHER_RANGE proposal: track one range over all VMAs and freed tables; one flush_tlb_range(mm) before freeing',
  source: 'L426-L433, L455-L457',
  hardware: { tlb: 'ipi', walkCache: false, icache: 'coherent' },
  gupRef: 'speculative',
  flush: PLAIN_FLUSH,
  hooks: {
    ...genericHooks,
    tlb_remove_tlb_entry(tlb, _vma, page) {
      tlb.need_flush = true;
      tlb.track(page, page + 1);
    },
    pte_free_tlb(tlb, table) {
      tlb.need_flush = true;
      // The range of a freed table is everything it maps, not one page.
      const g = tlb.geometry;
      tlb.track(g.regionStart[table]!, g.regionEnd[table]!);
      tlb.tables.push(table);
    },
    tlb_flush(tlb) {
      if (tlb.hasRange) tlb.flush_tlb_range(null, tlb.range_start, tlb.range_end);
      else tlb.flush_tlb_mm();
      tlb.resetRange();
    },
  },
});
