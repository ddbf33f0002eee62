/** asm-generic/tlb.h 2011 as it stood: batch pages and tables; one flush_tlb_mm in tlb_flush_mmu before freeing the batch (L155-L170). */
import { defineBackend, PLAIN_FLUSH } from '../backend.ts';
import { genericHooks } from './tlb-2011.ts';

export default defineBackend({
  id: 'generic',
  kernel: '2011',
  summary: 'asm-generic/tlb.h 2011: batch pages and tables; one flush_tlb_mm in tlb_flush_mmu before freeing the batch',
  source: 'L155-L170',
  hardware: { tlb: 'ipi', walkCache: false, icache: 'coherent', speculativeWalks: true },
  gupRef: 'speculative',
  flush: PLAIN_FLUSH,
  hooks: genericHooks,
});
