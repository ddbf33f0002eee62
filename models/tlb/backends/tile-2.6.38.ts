/**
 * Tile 2.6.38's flush_tlb_range(vma, ...) under a gather that tracks one range
 * over all VMAs and flushes it once with the last VMA seen (the arrangement of
 * L426-L445): the i-cache is evicted only if that VMA has VM_EXEC, so exec
 * pages of an earlier VMA can leave stale i-cache lines (L1282-L1300,
 * L1378-L1390). flush_tlb_mm always evicts the i-cache.
 */
import { defineBackend, genericHooks, rangeTrackingHooks, type MmuGatherHooks } from '../backend.ts';

export const tileRangeHooks: MmuGatherHooks = {
  ...genericHooks,
  tlb_start_vma(tlb, vma) {
    tlb.vma = vma;
  },
  ...rangeTrackingHooks,
  tlb_flush(tlb) {
    if (tlb.fullmm || tlb.vma === null || !tlb.hasRange) tlb.flush_tlb_mm();
    else tlb.flush_tlb_range(tlb.vma, tlb.range_start, tlb.range_end);
    tlb.resetRange();
  },
};

export default defineBackend({
  id: 'tile-2.6.38',
  summary: 'Tile 2.6.38: one range flush with the last VMA; i-cache evicted only if that VMA has VM_EXEC; incoherent i-cache',
  source: 'L430-L445, L1282-L1300, L1378-L1390',
  // Tile's flush_remote goes through the hypervisor and needs no interrupt on the target.
  hardware: { tlb: 'broadcast', walkCache: false, icache: 'incoherent', speculativeWalks: false },
  gupRef: 'get_page',
  flush: { range: 'per-page', rangeICache: 'vm-exec', mmICache: true },
  hooks: tileRangeHooks,
});
