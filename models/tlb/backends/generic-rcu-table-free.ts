/**
 * HAVE_RCU_TABLE_FREE: page-table pages go through tlb_remove_table and are
 * freed only after an RCU-sched grace period, which interrupt-disabled
 * sections (gup_fast) hold off. As in mm/memory.c, an mm with fewer than two
 * users frees them at once: no concurrent software walk is possible then.
 */
import { defineBackend, genericHooks, PLAIN_FLUSH } from '../backend.ts';

export default defineBackend({
  id: 'generic-rcu-table-free',
  summary: 'HAVE_RCU_TABLE_FREE: tables freed after an RCU-sched grace period (held off by irq-disabled gup_fast)',
  source: 'L451-L454',
  hardware: { tlb: 'broadcast', walkCache: false, icache: 'coherent', speculativeWalks: true },
  gupRef: 'speculative',
  flush: PLAIN_FLUSH,
  hooks: {
    ...genericHooks,
    pte_free_tlb(tlb, table) {
      tlb.need_flush = true;
      tlb.within('tlb_remove_table', () => {
        if (tlb.geometry.mmUsers < 2) tlb.freeTable(table, '__tlb_remove_table');
        else tlb.rcuTables.push(table);
      });
    },
  },
});
