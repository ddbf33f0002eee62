/**
 * ARM 06824ba8 on LPAE hardware: the same hooks, plus a walk cache of L1
 * entries that any TLB flush of an address under the entry drops (L315-L340).
 */
import { defineBackend, PLAIN_FLUSH } from '../backend.ts';
import { arm06824ba8Hooks } from './arm-06824ba8.ts';

export default defineBackend({
  id: 'arm-lpae',
  summary: 'ARM 06824ba8 with LPAE: cached L1 (pmd) entries, dropped by any flush of an address they cover',
  source: 'L315-L340',
  hardware: { tlb: 'ipi', walkCache: true, icache: 'coherent', speculativeWalks: true },
  gupRef: 'get_page',
  flush: PLAIN_FLUSH,
  hooks: arm06824ba8Hooks,
});
