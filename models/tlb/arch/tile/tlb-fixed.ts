/** Tile with Peter's change: flush_tlb_range(mm, ...) always evicts the i-cache (L1368-L1394). */
import { defineBackend } from '../../backend.ts';
import { tileRangeHooks } from './tlb-2.6.38.ts';

export default defineBackend({
  id: 'tile-fixed',
  kernel: '2011',
  summary: "Tile with Peter's change: flush_tlb_range(mm, ...) always evicts the i-cache",
  source: 'L1368-L1394',
  hardware: { tlb: 'broadcast', walkCache: false, icache: 'incoherent', speculativeWalks: false },
  gupRef: 'get_page',
  flush: { range: 'per-page', rangeICache: 'always', mmICache: true },
  hooks: {
    ...tileRangeHooks,
    tlb_flush(k) {
      k.if(
        (x) => !x.tlb.hasRange,
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
