/** ARM 06824ba8 on LPAE hardware: cached L1 (pmd) entries, dropped by any flush of an address they cover (L315-L340). */
import { defineBackend, PLAIN_FLUSH } from '../../backend.ts';
import { arm06824ba8Hooks } from './tlb-06824ba8.ts';

export default defineBackend({
  id: 'arm-lpae',
  kernel: '2011',
  summary: 'ARM 06824ba8 with LPAE: cached L1 (pmd) entries, dropped by any flush of an address they cover',
  source: 'L315-L340',
  hardware: { tlb: 'ipi', walkCache: true, icache: 'coherent', speculativeWalks: true },
  gupRef: 'get_page',
  flush: PLAIN_FLUSH,
  hooks: arm06824ba8Hooks,
});
