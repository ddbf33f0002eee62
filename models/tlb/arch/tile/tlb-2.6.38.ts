/**
 * Tile 2.6.38 under a range-tracking gather: one range flush with the last
 * VMA's flags; the i-cache is evicted only if that VMA has VM_EXEC
 * (L430-L445, L1282-L1300, L1378-L1390).
 */
import { defineBackend, type MmuGatherHooks } from '../../backend.ts';
import { genericHooks, rangeTrackingHooks } from '../../asm-generic/tlb-2011.ts';

export const tileRangeHooks: MmuGatherHooks = {
  ...genericHooks,
  tlb_start_vma(k, vma) {
    k.local((x) => {
      x.tlb.vma = vma.index;
    });
  },
  ...rangeTrackingHooks,
  tlb_flush(k) {
    k.if(
      (x) => x.tlb.fullmm || x.tlb.vma < 0 || !x.tlb.hasRange,
      () => k.flush_tlb_mm(),
      () =>
        k.flush_tlb_range(
          (x) => x.tlb.vma,
          (x) => x.tlb.start,
          (x) => x.tlb.end,
        ),
    );
    k.local((x) => x.tlb.resetRange());
  },
};

export default defineBackend({
  id: 'tile-2.6.38',
  kernel: '2011',
  summary: 'Tile 2.6.38: one range flush with the last VMA; i-cache evicted only if that VMA has VM_EXEC; incoherent i-cache',
  source: 'L430-L445, L1282-L1300, L1378-L1390',
  // Tile's flush_remote goes through the hypervisor and needs no interrupt on the target.
  hardware: { tlb: 'broadcast', walkCache: false, icache: 'incoherent', speculativeWalks: false },
  gupRef: 'get_page',
  flush: { range: 'per-page', rangeICache: 'vm-exec', mmICache: true },
  hooks: tileRangeHooks,
});
