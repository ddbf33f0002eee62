/**
 * Peter's HAVE_MMU_GATHER_ITLB on top of the range gather: whether the
 * i-TLB / i-cache is flushed is decided from the exec bits of the PTEs that
 * were cleared, not from the flags of whichever VMA is at hand.
 */
import { defineBackend, rangeTrackingHooks } from '../backend.ts';
import rangeBackend from './generic-range.ts';

export default defineBackend({
  id: 'generic-itlb',
  summary: 'HAVE_MMU_GATHER_ITLB proposal: i-cache/i-TLB flush decided from cleared PTEs\' exec bits',
  source: 'L447-L450, L459-L461',
  hardware: { tlb: 'ipi', walkCache: false, icache: 'incoherent', speculativeWalks: true },
  gupRef: 'speculative',
  flush: { range: 'per-page', rangeICache: 'pte-exec', mmICache: true },
  hooks: {
    ...rangeBackend.hooks,
    tlb_remove_tlb_entry(tlb, vma, page) {
      rangeTrackingHooks.tlb_remove_tlb_entry.call(this, tlb, vma, page);
      if (vma.exec) tlb.exec = true; // pte_exec() of the cleared entry
    },
  },
});
