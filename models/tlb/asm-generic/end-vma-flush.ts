/** DOMAIN §6 line 158: flush only at tlb_end_vma (pages freed after it); tables freed later with no further flush (L405-L410, L760-L762). */
import { defineBackend, PLAIN_FLUSH } from '../backend.ts';
import { genericHooks } from './tlb-2011.ts';

export default defineBackend({
  id: 'end-vma-flush',
  kernel: '2011',
  summary: 'flush only at tlb_end_vma (pages freed after it); tables freed later with no further flush',
  source: 'L405-L410, L760-L762',
  hardware: { tlb: 'ipi', walkCache: true, icache: 'coherent', speculativeWalks: true },
  gupRef: 'get_page',
  flush: PLAIN_FLUSH,
  hooks: {
    ...genericHooks,
    tlb_end_vma(k, vma) {
      k.flush_tlb_range(
        () => vma.index,
        () => vma.start,
        () => vma.end,
      );
      k.local((x) => {
        x.tlb.need_flush = false;
      });
      k.within('free_pages_and_swap_cache', () => k.free_batch('put_page'));
    },
    tlb_flush_mmu(k) {
      // No flush: only the tables batched since the last tlb_end_vma are freed.
      k.within('free_pages_and_swap_cache', () => k.free_batch('put_page'));
    },
  },
});
