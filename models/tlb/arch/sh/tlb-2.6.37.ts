/** sh 2.6.37 (arch/sh/include/asm/tlb.h): like ARM 2.6.37, pages and tables freed at once (L132-L152). */
import { defineBackend, PLAIN_FLUSH } from '../../backend.ts';
import { genericHooks } from '../../asm-generic/tlb-2011.ts';

export default defineBackend({
  id: 'sh-2.6.37',
  kernel: '2011',
  summary: 'sh 2.6.37: pages and tables freed at once; range flush at tlb_end_vma; flush_tlb_mm at finish only for fullmm',
  source: 'L132-L152',
  hardware: { tlb: 'ipi', walkCache: false, icache: 'coherent', speculativeWalks: false },
  gupRef: 'get_page',
  flush: PLAIN_FLUSH,
  hooks: {
    ...genericHooks,
    tlb_start_vma(k) {
      k.local((x) => {
        if (!x.tlb.fullmm) x.tlb.resetRange();
      });
    },
    tlb_remove_tlb_entry(k, _vma, page) {
      k.local((x) => {
        const p = page(x);
        x.tlb.adjustRange(p, p + 1);
      });
    },
    tlb_remove_page(k, page) {
      const K = k.g.pages;
      k.free_page((x) => page(x) % K, 'free_page_and_swap_cache');
    },
    tlb_end_vma(k, vma) {
      k.if(
        (x) => !x.tlb.fullmm && x.tlb.hasRange,
        () =>
          k.flush_tlb_range(
            () => vma.index,
            (x) => x.tlb.start,
            (x) => x.tlb.end,
          ),
      );
    },
    pte_free_tlb(k, table) {
      k.free_table(() => table, 'pte_free');
    },
    tlb_flush_mmu() {},
    tlb_finish_mmu(k) {
      k.if(
        (x) => x.tlb.fullmm,
        () => k.flush_tlb_mm(),
      );
    },
  },
});
