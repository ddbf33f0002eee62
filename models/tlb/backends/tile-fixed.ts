/**
 * Tile with Peter's change: flush_tlb_range takes the mm, always evicts the
 * i-cache (HV_FLUSH_EVICT_L1I) and flushes both page sizes (L1368-L1394).
 */
import { defineBackend } from '../backend.ts';
import { tileRangeHooks } from './tile-2.6.38.ts';

export default defineBackend({
  id: 'tile-fixed',
  summary: "Tile with Peter's change: flush_tlb_range(mm, ...) always evicts the i-cache",
  source: 'L1368-L1394',
  hardware: { tlb: 'broadcast', walkCache: false, icache: 'incoherent', speculativeWalks: false },
  gupRef: 'get_page',
  flush: { range: 'per-page', rangeICache: 'always', mmICache: true },
  hooks: {
    ...tileRangeHooks,
    tlb_flush(tlb) {
      if (!tlb.hasRange) tlb.flush_tlb_mm();
      else tlb.flush_tlb_range(null, tlb.range_start, tlb.range_end);
      tlb.resetRange();
    },
  },
});
