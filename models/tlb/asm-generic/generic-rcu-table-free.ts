/**
 * HAVE_RCU_TABLE_FREE (L451-L454): page-table pages go through
 * tlb_remove_table and are freed only after an RCU-sched grace period,
 * which interrupt-disabled sections (gup_fast) hold off. As in mm/memory.c,
 * an mm with fewer than two users frees them at once: no concurrent
 * software walk is possible then.
 */
import { defineBackend, PLAIN_FLUSH } from '../backend.ts';
import { genericHooks } from './tlb-2011.ts';

export default defineBackend({
  id: 'generic-rcu-table-free',
  kernel: '2011',
  summary: 'HAVE_RCU_TABLE_FREE: tables freed after an RCU-sched grace period (held off by irq-disabled gup_fast)',
  source: 'L451-L454',
  hardware: { tlb: 'broadcast', walkCache: false, icache: 'coherent', speculativeWalks: true },
  gupRef: 'speculative',
  flush: PLAIN_FLUSH,
  hooks: {
    ...genericHooks,
    pte_free_tlb(k, table) {
      k.local((x) => {
        x.tlb.need_flush = true;
      });
      k.within('tlb_remove_table', () => {
        // mm_users < 2: the kernel frees at once (decided on mm->mm_users, fixed while the path runs).
        if (k.branch('mm_users', k.g.mmUsers) < 2) k.free_table(() => table, '__tlb_remove_table');
        else
          k.local((x) => {
            x.tlb.table_batch = x.tlb.table_batch | (1 << table);
          });
      });
    },
  },
});
