/** HAVE_MMU_GATHER_ITLB (proposal): the i-cache/i-TLB flush decided from cleared PTEs' exec bits, not from a VMA's flags (L447-L450, L459-L461). */
import { defineBackend } from '../backend.ts';
import { rangeTrackingHooks } from './tlb-2011.ts';
import rangeBackend from './generic-range.ts';

export default defineBackend({
  id: 'generic-itlb',
  kernel: '2011',
  summary: "HAVE_MMU_GATHER_ITLB proposal: i-cache/i-TLB flush decided from cleared PTEs' exec bits",
  source: 'L447-L450, L459-L461',
  hardware: { tlb: 'ipi', walkCache: false, icache: 'incoherent', speculativeWalks: true },
  gupRef: 'speculative',
  flush: { range: 'per-page', rangeICache: 'pte-exec', mmICache: true },
  hooks: {
    ...rangeBackend.hooks,
    tlb_remove_tlb_entry(k, vma, page) {
      rangeTrackingHooks.tlb_remove_tlb_entry.call(this, k, vma, page);
      // pte_exec() of the cleared entry: the VMA's pages carry the exec bit.
      if (vma.exec)
        k.local((x) => {
          x.tlb.exec = true;
        });
    },
  },
});
