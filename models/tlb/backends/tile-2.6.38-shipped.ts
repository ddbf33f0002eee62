/**
 * Tile as 2.6.38 shipped it: the asm-generic gather with
 * tlb_flush = flush_tlb_mm, and Tile's flush_tlb_mm evicts the L1 i-cache
 * (HV_FLUSH_EVICT_L1I), so the VM_EXEC test of its flush_tlb_range is never
 * reached from the gather (L1282-L1300). Compare tile-2.6.38, which puts that
 * flush_tlb_range under the proposed range-tracking gather.
 */
import { defineBackend, genericHooks } from '../backend.ts';

export default defineBackend({
  id: 'tile-2.6.38-shipped',
  summary: 'Tile 2.6.38 as shipped: asm-generic gather, tlb_flush = flush_tlb_mm, which evicts the i-cache',
  source: 'L1282-L1300',
  hardware: { tlb: 'broadcast', walkCache: false, icache: 'incoherent', speculativeWalks: false },
  gupRef: 'get_page',
  flush: { range: 'per-page', rangeICache: 'vm-exec', mmICache: true },
  hooks: genericHooks,
});
