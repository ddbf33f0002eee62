/**
 * The flush primitives an arch's asm/tlbflush.h provides to generic mm code
 * (flush_tlb_mm, flush_tlb_range, flush_tlb_page) and how its CPUs treat an
 * mm they do not run. A v6 backend without its own table gets the plain
 * primitives of DOMAIN §2: per-page range flushes that drop the walk-cache
 * entries of the regions they cover, to every CPU.
 */
import type { At, KernelBuilder } from '../kernel/builder.ts';

export interface TlbFlushOps {
  /**
   * How CPUs that do not run the mm take flushes and come back to it:
   * x86 (flush_tlb_func clears a switched-away CPU's mm_cpumask bit and
   * sends a lazy one to init_mm; switch_mm_irqs_off flushes when the CPU's
   * tlb_gen is behind), or none (the CPU flushes whatever it runs; its
   * mm_cpumask bit stays).
   */
  readonly lazyTlb: 'x86' | 'none';
  flush_tlb_mm(this: TlbFlushOps, k: KernelBuilder, name?: string): void;
  /** flush_tlb_range(vma, start, end): `vma` is the VMA index passed in, or -1. */
  flush_tlb_range(this: TlbFlushOps, k: KernelBuilder, vma: At, start: At, end: At): void;
  flush_tlb_page(this: TlbFlushOps, k: KernelBuilder, page: At): void;
}

export const plainTlbFlush: TlbFlushOps = {
  lazyTlb: 'none',
  flush_tlb_mm(k, name) {
    k.plain_flush_tlb_mm(name);
  },
  flush_tlb_range(k, vma, start, end) {
    k.plain_flush_tlb_range(vma, start, end);
  },
  flush_tlb_page(k, page) {
    k.plain_flush_tlb_range(
      () => -1,
      page,
      (x) => page(x) + 1,
    );
  },
};
