/** asm-generic/tlb.h (2011): batch pages and tables, one flush_tlb_mm, then free (L155-L170). */
import { defineBackend, genericHooks, PLAIN_FLUSH } from '../backend.ts';

export default defineBackend({
  id: 'generic',
  summary: 'asm-generic/tlb.h 2011: batch pages and tables; one flush_tlb_mm in tlb_flush_mmu before freeing the batch',
  source: 'L155-L170',
  hardware: { tlb: 'ipi', walkCache: false, icache: 'coherent', speculativeWalks: true },
  gupRef: 'speculative',
  flush: PLAIN_FLUSH,
  hooks: genericHooks,
});
