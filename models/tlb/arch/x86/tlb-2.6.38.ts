/** x86 2.6.38: the generic gather, IPI shootdown, flush_tlb_range is a full flush; gup_fast with plain get_page (L835-L837, L874-L876). */
import { defineBackend } from '../../backend.ts';
import { genericHooks } from '../../asm-generic/tlb-2011.ts';

export default defineBackend({
  id: 'x86-2.6.38',
  kernel: '2011',
  summary: 'x86 2.6.38: generic gather, IPI shootdown, flush_tlb_range = full flush; gup_fast with plain get_page',
  source: 'L835-L837, L874-L876',
  // Paging-structure caches are x86's walk cache.
  hardware: { tlb: 'ipi', walkCache: true, icache: 'coherent', speculativeWalks: true },
  gupRef: 'get_page',
  flush: { range: 'full', rangeICache: 'never', mmICache: false },
  hooks: genericHooks,
});
