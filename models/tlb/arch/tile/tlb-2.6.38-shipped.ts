/** Tile 2.6.38 as shipped: the asm-generic gather, whose tlb_flush is flush_tlb_mm, which evicts the i-cache (L1282-L1300). */
import { defineBackend } from '../../backend.ts';
import { genericHooks } from '../../asm-generic/tlb-2011.ts';

export default defineBackend({
  id: 'tile-2.6.38-shipped',
  kernel: '2011',
  summary: 'Tile 2.6.38 as shipped: asm-generic gather, tlb_flush = flush_tlb_mm, which evicts the i-cache',
  source: 'L1282-L1300',
  hardware: { tlb: 'broadcast', walkCache: false, icache: 'incoherent', speculativeWalks: false },
  gupRef: 'get_page',
  flush: { range: 'per-page', rangeICache: 'vm-exec', mmICache: true },
  hooks: genericHooks,
});
