/**
 * Today's generic mmu_gather: include/asm-generic/tlb.h and mm/mmu_gather.c
 * as of v6.18 (read in linux-next and raspberrypi/linux trees; see
 * README "Today's kernel" for the commits). One hook table, which arch
 * backends spread and override (`tlb_flush` above all), as their
 * asm/tlb.h does. Every decision a hook takes from the gather is taken at
 * step time; what depends on Kconfig is decided when the program is built.
 */
import type { At, KernelBuilder } from '../kernel/builder.ts';
import { BLOCKED } from '../kernel/program.ts';
import type { Vma } from '../types.ts';
import { get, set } from '../../../src/engine/layout.ts';

export interface MmuGatherOps {
  tlb_gather_mmu(this: MmuGatherOps, k: KernelBuilder, fullmm: boolean): void;
  tlb_start_vma(this: MmuGatherOps, k: KernelBuilder, vma: Vma): void;
  tlb_end_vma(this: MmuGatherOps, k: KernelBuilder, vma: Vma): void;
  tlb_free_vmas(this: MmuGatherOps, k: KernelBuilder): void;
  /** tlb_remove_tlb_entry: tlb_flush_pte_range plus the arch's __tlb_remove_tlb_entry. */
  tlb_remove_tlb_entry(this: MmuGatherOps, k: KernelBuilder, page: At): void;
  /** Queues the frame of `page`; leaves x.scratch = 1 when the caller must flush (the batch is full). */
  __tlb_remove_folio_pages(this: MmuGatherOps, k: KernelBuilder, page: At): void;
  /** tlb_flush_pmd_range, freed_tables, then __pte_free_tlb. */
  pte_free_tlb(this: MmuGatherOps, k: KernelBuilder, table: number, region: number): void;
  __pte_free_tlb(this: MmuGatherOps, k: KernelBuilder, table: number): void;
  tlb_remove_table(this: MmuGatherOps, k: KernelBuilder, table: number): void;
  tlb_table_invalidate(this: MmuGatherOps, k: KernelBuilder): void;
  tlb_table_flush(this: MmuGatherOps, k: KernelBuilder): void;
  /** The arch's TLB invalidation for the gathered range and levels. */
  tlb_flush(this: MmuGatherOps, k: KernelBuilder): void;
  tlb_flush_mmu_tlbonly(this: MmuGatherOps, k: KernelBuilder): void;
  tlb_flush_mmu_free(this: MmuGatherOps, k: KernelBuilder): void;
  tlb_flush_mmu(this: MmuGatherOps, k: KernelBuilder): void;
  tlb_finish_mmu(this: MmuGatherOps, k: KernelBuilder): void;
  /**
   * Reclaim's deferred flush (ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH): what
   * arch_tlbbatch_flush sends. `frames`: the data frames reclaim unmapped
   * since the last one (what add_pending saw).
   */
  arch_tlbbatch_flush(this: MmuGatherOps, k: KernelBuilder, frames?: At): void;
  /** tlb_needs_table_invalidate(): whether hardware walks Linux tables and must lose them before a table is freed. */
  readonly tlb_needs_table_invalidate: boolean;
}

/** __tlb_reset_range: an empty range; the level bits go (need_flush_all and the vma_* bits stay). */
function resetRange(k: KernelBuilder): void {
  k.local((x) => {
    const t = x.tlb;
    t.resetRange();
    t.freed_tables = false;
    t.cleared_ptes = false;
    t.cleared_pmds = false;
  });
}

export const genericMmuGather: MmuGatherOps = {
  tlb_needs_table_invalidate: true,

  tlb_gather_mmu(k, fullmm) {
    const kc = k.kconfig();
    k.within('__tlb_gather_mmu', () => {
      k.local((x) => {
        const t = x.tlb;
        t.fullmm = fullmm;
        if (!kc.MMU_GATHER_NO_GATHER) t.need_flush_all = false;
        t.batch = 0;
        t.table_batch = 0;
        t.vma_pfn = false;
      });
      resetRange(k);
      if (k.mech('tlb_flush_pending')) incTlbFlushPending(k);
    });
  },

  tlb_start_vma(k, vma) {
    k.if(
      (x) => !x.tlb.fullmm,
      () =>
        k.within('tlb_update_vma_flags', () =>
          k.local((x) => {
            x.tlb.vma_exec = vma.exec;
            x.tlb.vma_huge = false;
          }),
        ),
    );
    // flush_cache_range: data caches are not modelled.
  },

  tlb_end_vma(k) {
    if (k.kconfig().MMU_GATHER_MERGE_VMAS) return;
    k.if(
      (x) => !x.tlb.fullmm,
      () => k.within('tlb_flush_mmu_tlbonly', () => this.tlb_flush_mmu_tlbonly(k)),
    );
  },

  tlb_free_vmas(k) {
    k.if(
      (x) => !x.tlb.fullmm && x.tlb.vma_pfn,
      () => k.within('tlb_flush_mmu_tlbonly', () => this.tlb_flush_mmu_tlbonly(k)),
    );
  },

  tlb_remove_tlb_entry(k, page) {
    k.within('tlb_flush_pte_range', () =>
      k.local((x) => {
        const p = page(x);
        x.tlb.adjustRange(p, p + 1);
        x.tlb.cleared_ptes = true;
      }),
    );
  },

  __tlb_remove_folio_pages(k, page) {
    const K = k.g.pages;
    const cap = k.m.config.batch;
    k.local((x) => {
      // The page is stored first; "full" tells the caller to flush before queueing more.
      x.tlb.batch = x.tlb.batch | (1 << page(x) % K);
      x.scratch = x.tlb.batchCount >= cap ? 1 : 0;
    });
  },

  pte_free_tlb(k, table, region) {
    const at = k.g.regionStart[region]!;
    k.local((x) => {
      // tlb_flush_pmd_range(tlb, addr, PAGE_SIZE): the range is marked one level up.
      x.tlb.adjustRange(at, at + 1);
      x.tlb.cleared_pmds = true;
      x.tlb.freed_tables = true;
    });
    k.within('__pte_free_tlb', () => this.__pte_free_tlb(k, table));
  },

  __pte_free_tlb(k, table) {
    k.within('tlb_remove_ptdesc', () => k.within('tlb_remove_table', () => this.tlb_remove_table(k, table)));
  },

  tlb_remove_table(k, table) {
    const kc = k.kconfig();
    const K = k.g.pages;
    if (!kc.MMU_GATHER_TABLE_FREE && !kc.MMU_GATHER_RCU_TABLE_FREE) {
      // No table batch: the table joins the page batch (tlb_remove_page), freed after the flush like a page.
      k.within('tlb_remove_page', () => {
        k.local((x) => {
          x.tlb.batch = x.tlb.batch | (1 << (K + table));
        });
        k.if(
          (x) => x.tlb.batchCount >= k.m.config.batch,
          () => k.within('tlb_flush_mmu', () => this.tlb_flush_mmu(k)),
        );
      });
      return;
    }
    // MMU_GATHER_TABLE_FREE: the table batch is a page allocated with GFP_NOWAIT when the first table
    // comes; the allocation may fail (a choice of the environment), and then this table goes on its own.
    const done = k.label();
    k.if(
      (x) => x.tlb.table_batch === 0,
      () => {
        k.step({
          kind: 'alloc',
          name: '__get_free_page',
          choices: 2,
          label: (x) => (x.choice === 0 ? 'allocate the table batch page (GFP_NOWAIT)' : 'the GFP_NOWAIT allocation of the table batch page fails'),
          short: (x) => (x.choice === 0 ? 'table batch page' : 'table batch: no page'),
          touches: { reads: [], writes: [] },
          run: (x) => {
            x.scratch = x.choice;
          },
        });
        k.if(
          (x) => x.scratch === 1,
          () => {
            k.within('tlb_table_invalidate', () => this.tlb_table_invalidate(k));
            // tlb_remove_table_one as v6.14-v6.18 has it without PT_RECLAIM (raspberrypi/linux @46d03bd2):
            // tlb_remove_table_sync_one (a real IPI with RCU table freeing), then __tlb_remove_table at once.
            k.within('tlb_remove_table_one', () => {
              if (kc.PT_RECLAIM && kc.MMU_GATHER_RCU_TABLE_FREE && k.mech('rcu-table-free')) {
                // With PT_RECLAIM: call_rcu on the ptdesc's own rcu_head.
                k.call_rcu_one(table, '__tlb_remove_table_one');
                return;
              }
              if (kc.MMU_GATHER_RCU_TABLE_FREE && k.mech('tlb_remove_table_sync_one')) k.tlb_remove_table_sync_one();
              k.free_table(() => table, '__tlb_remove_table');
            });
            k.goto(done);
          },
        );
      },
    );
    k.local((x) => {
      x.tlb.table_batch = x.tlb.table_batch | (1 << table);
    });
    k.place(done);
  },

  tlb_table_invalidate(k) {
    if (this.tlb_needs_table_invalidate) k.within('tlb_flush_mmu_tlbonly', () => this.tlb_flush_mmu_tlbonly(k));
  },

  tlb_table_flush(k) {
    const kc = k.kconfig();
    if (!kc.MMU_GATHER_TABLE_FREE && !kc.MMU_GATHER_RCU_TABLE_FREE) return;
    k.if(
      (x) => x.tlb.table_batch !== 0,
      () => {
        k.within('tlb_table_invalidate', () => this.tlb_table_invalidate(k));
        k.within('tlb_remove_table_free', () => {
          if (kc.MMU_GATHER_RCU_TABLE_FREE && k.mech('rcu-table-free')) k.call_rcu('call_rcu');
          else k.free_tables_batch('__tlb_remove_table');
        });
      },
    );
  },

  tlb_flush(k) {
    const kc = k.kconfig();
    if (kc.MMU_GATHER_NO_RANGE) {
      k.if(
        (x) => x.tlb.end !== 0,
        () => k.flush_tlb_mm(),
      );
      return;
    }
    k.if(
      (x) => x.tlb.fullmm || x.tlb.need_flush_all,
      () => k.flush_tlb_mm(),
      () =>
        k.if(
          (x) => x.tlb.end !== 0,
          // A fake VMA carrying only VM_EXEC/VM_HUGETLB from the gather.
          () =>
            k.flush_tlb_range(
              () => -1,
              (x) => x.tlb.start,
              (x) => x.tlb.end,
            ),
        ),
    );
  },

  tlb_flush_mmu_tlbonly(k) {
    k.if(
      (x) => x.tlb.freed_tables || x.tlb.cleared_ptes || x.tlb.cleared_pmds,
      () => {
        k.within('tlb_flush', () => this.tlb_flush(k));
        k.within('__tlb_reset_range', () => resetRange(k));
      },
    );
  },

  tlb_flush_mmu_free(k) {
    // Tables first (call_rcu), then the pages: tlb_table_flush, then tlb_batch_pages_flush.
    k.within('tlb_table_flush', () => this.tlb_table_flush(k));
    k.within('tlb_batch_pages_flush', () => k.within('free_pages_and_swap_cache', () => k.free_batch('put_page')));
  },

  tlb_flush_mmu(k) {
    k.within('tlb_flush_mmu_tlbonly', () => this.tlb_flush_mmu_tlbonly(k));
    k.within('tlb_flush_mmu_free', () => this.tlb_flush_mmu_free(k));
  },

  tlb_finish_mmu(k) {
    if (k.mech('nested-flush')) mmTlbFlushNested(k);
    k.within('tlb_flush_mmu', () => this.tlb_flush_mmu(k));
    if (k.mech('tlb_flush_pending')) decTlbFlushPending(k);
  },

  arch_tlbbatch_flush(k) {
    // A full flush of every CPU the batch saw (x86: flush_tlb_multi(&batch->cpumask, FLUSH_ALL)).
    k.flush_tlb_mm('arch_tlbbatch_flush');
  },
};

/** inc_tlb_flush_pending, the last thing __tlb_gather_mmu does. */
export function incTlbFlushPending(k: KernelBuilder): void {
  const m = k.m;
  k.step({
    kind: 'counter',
    name: 'inc_tlb_flush_pending',
    label: (x) => `mm->tlb_flush_pending ${m.flushPending(x.st)} -> ${m.flushPending(x.st) + 1}`,
    short: () => 'tlb_flush_pending++',
    touches: { reads: [m.comp.pending], writes: [m.comp.pending] },
    run: (x) => set(x.st, m.pendingF!, get(x.st, m.pendingF!) + 1),
  });
}

/** dec_tlb_flush_pending, the very last thing tlb_finish_mmu does, after its flush completed. */
export function decTlbFlushPending(k: KernelBuilder): void {
  const m = k.m;
  k.step({
    kind: 'counter',
    name: 'dec_tlb_flush_pending',
    label: (x) => `mm->tlb_flush_pending ${m.flushPending(x.st)} -> ${m.flushPending(x.st) - 1}`,
    short: () => 'tlb_flush_pending--',
    touches: { reads: [m.comp.pending], writes: [m.comp.pending] },
    run: (x) => {
      const v = get(x.st, m.pendingF!);
      if (v === 0) return BLOCKED; // unbalanced: cannot happen with the mechanism on
      set(x.st, m.pendingF!, v - 1);
    },
  });
}

/**
 * The nested-flush rule of tlb_finish_mmu: if another gather is in flight
 * (mm->tlb_flush_pending > 1), flush everything the other might have left,
 * at every level: fullmm, an empty range, freed_tables.
 */
function mmTlbFlushNested(k: KernelBuilder): void {
  const m = k.m;
  k.step({
    kind: 'counter',
    name: 'mm_tlb_flush_nested',
    label: (x) => {
      const v = m.flushPending(x.st);
      return `read mm->tlb_flush_pending = ${v}${v > 1 ? ': another gather is in flight, so flush the whole mm with walk caches (fullmm, freed_tables)' : ''}`;
    },
    short: (x) => (m.flushPending(x.st) > 1 ? 'nested: flush all' : 'not nested'),
    touches: { reads: [m.comp.pending], writes: [] },
    run: (x) => {
      if (m.flushPending(x.st) > 1) {
        const t = x.tlb;
        t.fullmm = true;
        t.resetRange();
        t.freed_tables = false;
        t.cleared_ptes = false;
        t.cleared_pmds = false;
        t.freed_tables = true;
      }
    },
  });
}
