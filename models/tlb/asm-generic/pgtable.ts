/**
 * What an arch's asm/pgtable.h does when a PTE changes, beyond the store:
 * s390 purges the TLB at once (IPTE), powerpc hash and sparc64 queue the
 * address for a flush when the lazy-MMU section ends (or flush at once
 * outside one). The generic header does nothing: the flush is the
 * mmu_gather's, or the caller's.
 */
import type { At, Cond, KernelBuilder } from '../kernel/builder.ts';
import type { Exec } from '../kernel/exec.ts';

export interface PgtableOps {
  /**
   * A present PTE of `page` was cleared or lost a permission
   * (ptep_get_and_clear(_full), ptep_clear_flush, ptep_modify_prot_start,
   * clear_young_dirty_ptes). `full`: the clear is ptep_get_and_clear_full
   * of a fullmm gather. `direct`: ptep_clear_flush's clear (s390
   * ptep_xchg_direct), where the others are ptep_xchg_lazy.
   */
  pte_changed(this: PgtableOps, k: KernelBuilder, page: At, full: Cond, direct?: boolean): void;
  arch_enter_lazy_mmu_mode(this: PgtableOps, k: KernelBuilder): void;
  arch_leave_lazy_mmu_mode(this: PgtableOps, k: KernelBuilder): void;
  /**
   * An arch's own pmdp_collapse_flush (s390 IDTE, riscv flush_tlb_mm,
   * powerpc's collapsed-pmd flushes), given the step that clears the pmd
   * of region `r`. Absent: the generic one (mm/pgtable-generic.c): clear,
   * then flush_tlb_range over the huge page.
   */
  /**
   * What the arch does in the same instruction that changes a present PTE
   * (s390's IPTE invalidates the entry and purges the TLBs at once), run
   * inside that step: `page` is the virtual page.
   */
  ptep_xchg?(x: Exec, page: number, full: boolean, direct: boolean): void;
  pmdp_collapse_flush?(this: PgtableOps, k: KernelBuilder, r: number, clear: () => void): void;
}

export const genericPgtable: PgtableOps = {
  pte_changed() {},
  arch_enter_lazy_mmu_mode() {},
  arch_leave_lazy_mmu_mode() {},
};

/**
 * The shape powerpc hash (ppc64_tlb_batch, hpte_need_flush) and sparc64
 * (tlb_batch_add) share: a PTE change inside a lazy-MMU section queues
 * its address in a per-CPU batch that arch_leave_lazy_mmu_mode flushes,
 * before the caller drops the PTL; outside one it is flushed at once.
 * `flush` issues the arch's invalidation of the pages in a mask.
 */
/** The per-CPU batch of pages a lazy-MMU section queued (ppc64_tlb_batch, sparc64's tlb_batch). */
function lazyMmuBatchReg(k: KernelBuilder) {
  return k.reg('tlb_batch', 2 ** k.g.vpages - 1);
}

/**
 * The gather's tlb_flush on hash and sparc64: flush what the lazy-MMU batch
 * still holds (arch_leave_lazy_mmu_mode has emptied it when its flush is on).
 */
export function flushLazyMmuBatch(
  k: KernelBuilder,
  within: string,
  flush: (k: KernelBuilder, pages: (x: import('../kernel/exec.ts').Exec) => number, name: string) => void,
  name: string,
): void {
  const batch = lazyMmuBatchReg(k);
  k.within(within, () =>
    k.if(
      (x) => x.get(batch) !== 0,
      () => {
        flush(k, (x) => x.get(batch), name);
        k.local((x) => x.set(batch, 0));
      },
    ),
  );
}

export function lazyMmuBatch(opts: {
  readonly flush: (k: KernelBuilder, pages: (x: import('../kernel/exec.ts').Exec) => number, name: string) => void;
  /** The batch function's name (hpte_need_flush, tlb_batch_add). */
  readonly add: string;
  /** The flush at leave (__flush_tlb_pending, flush_tlb_pending). */
  readonly flushName: string;
  /** sparc64: a fullmm clear queues nothing (the context dies with the mm). */
  readonly skipFullmm: boolean;
}): PgtableOps {
  const regs = (k: KernelBuilder) => ({ lazy: k.reg('lazy_mmu', 1), batch: lazyMmuBatchReg(k) });
  return {
    pte_changed(k, page, full) {
      const r = regs(k);
      k.within(opts.add, () =>
        k.if(
          (x) => !(opts.skipFullmm && full(x)),
          () =>
            k.if(
              (x) => x.flag(r.lazy),
              () => k.local((x) => x.set(r.batch, x.get(r.batch) | (1 << page(x)))),
              () => opts.flush(k, (x) => 1 << page(x), opts.add),
            ),
        ),
      );
    },
    arch_enter_lazy_mmu_mode(k) {
      const r = regs(k);
      k.within('arch_enter_lazy_mmu_mode', () => k.local((x) => x.set(r.lazy, 1)));
    },
    arch_leave_lazy_mmu_mode(k) {
      const r = regs(k);
      // Without the flush at leave, the batch waits for the gather's tlb_flush (or for nothing).
      if (!k.mech('lazy-mmu-flush')) {
        k.within('arch_leave_lazy_mmu_mode', () => k.local((x) => x.set(r.lazy, 0)));
        return;
      }
      k.within('arch_leave_lazy_mmu_mode', () => {
        k.if(
          (x) => x.get(r.batch) !== 0,
          () => k.within(opts.flushName, () => opts.flush(k, (x) => x.get(r.batch), opts.flushName)),
        );
        k.local((x) => {
          x.set(r.batch, 0);
          x.set(r.lazy, 0);
        });
      });
    },
  };
}
