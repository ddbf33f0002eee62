/** ia64 2.6.37 (arch/ia64/include/asm/tlb.h): pages batched until the flush, but pte_free_tlb frees the table at once (L132-L152). */
import { defineBackend, PLAIN_FLUSH } from '../../backend.ts';
import { genericHooks, rangeTrackingHooks } from '../../asm-generic/tlb-2011.ts';

export default defineBackend({
  id: 'ia64-2.6.37',
  kernel: '2011',
  summary: 'ia64 2.6.37: pages batched until the flush, but pte_free_tlb frees the table at once (before any flush)',
  source: 'L132-L152',
  hardware: { tlb: 'broadcast', walkCache: false, icache: 'coherent', speculativeWalks: true },
  gupRef: 'get_page',
  flush: PLAIN_FLUSH,
  hooks: {
    ...genericHooks,
    tlb_remove_tlb_entry: rangeTrackingHooks.tlb_remove_tlb_entry,
    pte_free_tlb(k, table) {
      k.local((x) => {
        x.tlb.need_flush = true;
      });
      k.free_table(() => table, 'pte_free');
    },
    tlb_flush(k) {
      // ia64_tlb_flush_mmu: fullmm -> flush_tlb_mm, else the tracked range.
      k.if(
        (x) => x.tlb.fullmm || !x.tlb.hasRange,
        () => k.flush_tlb_mm(),
        () =>
          k.flush_tlb_range(
            () => -1,
            (x) => x.tlb.start,
            (x) => x.tlb.end,
          ),
      );
      k.local((x) => x.tlb.resetRange());
    },
  },
});
