/**
 * The ordering Peter warns about (L405-L410, L760-L762): flush only at
 * tlb_end_vma, free the pages after that flush, and free the page tables
 * later with no flush at all. A hardware walker can refill the walk cache
 * between the flush and the table free.
 */
import { defineBackend, genericHooks, PLAIN_FLUSH } from '../backend.ts';

export default defineBackend({
  id: 'end-vma-flush',
  summary: 'flush only at tlb_end_vma (pages freed after it); tables freed later with no further flush',
  source: 'L405-L410, L760-L762',
  hardware: { tlb: 'ipi', walkCache: true, icache: 'coherent', speculativeWalks: true },
  gupRef: 'get_page',
  flush: PLAIN_FLUSH,
  hooks: {
    ...genericHooks,
    tlb_end_vma(tlb, vma) {
      tlb.flush_tlb_range(vma, vma.start, vma.end);
      tlb.need_flush = false;
      tlb.freeBatch();
    },
    tlb_flush_mmu(tlb) {
      // No flush: only the tables batched since the last tlb_end_vma are freed.
      tlb.freeBatch();
    },
  },
});
