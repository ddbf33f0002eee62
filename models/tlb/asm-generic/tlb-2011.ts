/**
 * include/asm-generic/tlb.h as of 2011 (L155-L170): pages and page-table
 * pages are batched, need_flush is set by every removal, and tlb_flush_mmu
 * does one flush_tlb_mm before freeing the batch. Most 2011 backends start
 * from these hooks and override a few.
 */
import type { MmuGatherHooks } from '../backend.ts';
import type { KernelBuilder } from '../kernel/builder.ts';

/** The hooks that free at once in "fast mode" (one CPU online) depend on the number of CPUs. */
function fastModeBranch(k: KernelBuilder): void {
  k.branch('online_cpus', k.g.cpus === 1 ? 1 : 2, k.g.cpus === 1 ? '1 (tlb_fast_mode)' : '>1');
}

export const genericHooks: MmuGatherHooks = {
  tlb_gather_mmu(k, fullmm) {
    // tlb->nr = num_online_cpus() > 1 ? 0 : ~0: with one CPU, nothing is batched.
    const fast = k.g.cpus === 1;
    k.local((x) => {
      x.tlb.fullmm = fullmm;
      x.tlb.need_flush = false;
      x.tlb.fast_mode = fast;
    });
  },
  // tlb_start_vma: flush_cache_range; data caches are not modelled.
  tlb_start_vma() {},
  tlb_remove_tlb_entry(k) {
    k.local((x) => {
      x.tlb.need_flush = true;
    });
  },
  tlb_remove_page(k, page) {
    const K = k.g.pages;
    fastModeBranch(k);
    k.local((x) => {
      x.tlb.need_flush = true;
    });
    k.if(
      (x) => x.tlb.fast_mode,
      () => k.free_page((x) => page(x) % K, 'free_page_and_swap_cache'),
      () =>
        k.local((x) => {
          x.tlb.batch = x.tlb.batch | (1 << page(x) % K);
        }),
    );
  },
  tlb_end_vma() {},
  pte_free_tlb(k, table) {
    const K = k.g.pages;
    fastModeBranch(k);
    k.local((x) => {
      x.tlb.need_flush = true;
    });
    // __pte_free_tlb: tlb_remove_page() on the page-table page.
    k.if(
      (x) => x.tlb.fast_mode,
      () => k.free_table(() => table, 'free_page_and_swap_cache'),
      () =>
        k.local((x) => {
          x.tlb.batch = x.tlb.batch | (1 << (K + table));
        }),
    );
  },
  tlb_flush(k) {
    k.flush_tlb_mm();
  },
  tlb_flush_mmu(k) {
    k.if(
      (x) => x.tlb.need_flush,
      () => {
        k.local((x) => {
          x.tlb.need_flush = false;
        });
        k.within('tlb_flush', () => this.tlb_flush(k));
        // tlb_table_flush hands the tables to RCU before the pages are freed (asm-generic/tlb.h, 2.6.39).
        k.within('tlb_table_flush', () => k.call_rcu('call_rcu_sched'));
        k.within('free_pages_and_swap_cache', () => k.free_batch('put_page'));
      },
    );
  },
  tlb_finish_mmu(k) {
    k.within('tlb_flush_mmu', () => this.tlb_flush_mmu(k));
  },
};

/**
 * Range tracking as HAVE_MMU_GATHER_RANGE proposes it: every cleared PTE
 * adds its page, and every freed page table adds everything it maps.
 */
export const rangeTrackingHooks: Pick<MmuGatherHooks, 'tlb_remove_tlb_entry' | 'pte_free_tlb'> = {
  tlb_remove_tlb_entry(k, _vma, page) {
    k.local((x) => {
      x.tlb.need_flush = true;
      const p = page(x);
      x.tlb.adjustRange(p, p + 1);
    });
  },
  pte_free_tlb(k, table) {
    const g = k.g;
    const K = g.pages;
    fastModeBranch(k);
    k.local((x) => {
      x.tlb.need_flush = true;
      x.tlb.adjustRange(g.regionStart[table]!, g.regionEnd[table]!);
    });
    k.if(
      (x) => x.tlb.fast_mode,
      () => k.free_table(() => table, 'free_page_and_swap_cache'),
      () =>
        k.local((x) => {
          x.tlb.batch = x.tlb.batch | (1 << (K + table));
        }),
    );
  },
};
