/**
 * The s390 idea made general (L463-L467): one flush_tlb_mm at
 * tlb_gather_mmu and none after, on the grounds that nobody else uses the mm.
 * Real s390 also invalidates every PTE by IPTE broadcast when clearing it;
 * this backend deliberately models only the proposed generic scheme.
 */
import { defineBackend } from '../../backend.ts';
import { genericHooks } from '../../asm-generic/tlb-2011.ts';

export default defineBackend({
  id: 's390-fullmm',
  kernel: '2011',
  summary: 'flush_tlb_mm once at tlb_gather_mmu and never after (the s390 fullmm idea as a generic scheme)',
  source: 'L463-L467',
  hardware: { tlb: 'broadcast', walkCache: true, icache: 'coherent', speculativeWalks: true },
  gupRef: 'speculative',
  flush: { range: 'per-page', rangeICache: 'never', mmICache: false },
  hooks: {
    ...genericHooks,
    tlb_gather_mmu(k, fullmm) {
      k.local((x) => {
        x.tlb.fullmm = fullmm;
      });
      k.flush_tlb_mm();
    },
    tlb_flush() {},
  },
});
