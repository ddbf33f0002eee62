/** HAVE_MMU_GATHER_RANGE (Peter's proposal): one range over all VMAs and freed tables; one flush_tlb_range(mm) before freeing (L426-L433, L455-L457). */
import { defineBackend, PLAIN_FLUSH } from '../backend.ts';
import { genericHooks, rangeTrackingHooks } from './tlb-2011.ts';

export default defineBackend({
  id: 'generic-range',
  kernel: '2011',
  summary: 'HAVE_MMU_GATHER_RANGE proposal: track one range over all VMAs and freed tables; one flush_tlb_range(mm) before freeing',
  source: 'L426-L433, L455-L457',
  hardware: { tlb: 'ipi', walkCache: false, icache: 'coherent', speculativeWalks: true },
  gupRef: 'speculative',
  flush: PLAIN_FLUSH,
  hooks: {
    ...genericHooks,
    // The range of a freed table is everything it maps, not one page.
    ...rangeTrackingHooks,
    tlb_flush(k) {
      k.if(
        (x) => x.tlb.hasRange,
        () =>
          k.flush_tlb_range(
            () => -1,
            (x) => x.tlb.start,
            (x) => x.tlb.end,
          ),
        () => k.flush_tlb_mm(),
      );
      k.local((x) => x.tlb.resetRange());
    },
  },
});
