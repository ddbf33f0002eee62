/**
 * riscv as of v6.18: arch/riscv/include/asm/tlb.h (tlb_flush) and
 * arch/riscv/mm/tlbflush.c (__flush_tlb_range and the batched-unmap
 * hooks). Read in linux-next @c0a813cb (tlbflush.c), Qi Zheng's series of
 * Feb 2025 (tables always through RCU) and linux-next @053ea0a6 (Kconfig).
 *
 * - tlb_flush: fullmm, need_flush_all or freed_tables -> flush_tlb_mm
 *   (sfence.vma x0, asid: every entry of the ASID, non-leaf included: the
 *   ISA asks for it after a non-leaf PTE changes); otherwise
 *   flush_tlb_mm_range, sfence.vma per stride (leaf entries only), or the
 *   whole ASID above tlb_flush_all_threshold (64) strides.
 * - Remote CPUs: IPIs to mm_cpumask (no lazy filtering), or with
 *   --tlb broadcast the SBI remote fences, which firmware delivers in
 *   M-mode: an interrupts-off section in the kernel does not hold them off.
 * - No MMU_GATHER_MERGE_VMAS.
 */
import { defineBackend } from '../../backend.ts';
import type { At, KernelBuilder } from '../../kernel/builder.ts';
import type { Exec } from '../../kernel/exec.ts';
import type { Invalidation } from '../../hw/tlb.ts';
import { genericMmuGather, type MmuGatherOps } from '../../mm/mmu_gather.ts';
import type { TlbFlushOps } from '../../asm-generic/tlbflush.ts';
import { PTRS_PER_PTE } from '../../geometry.ts';
import { genericPgtable, type PgtableOps } from '../../asm-generic/pgtable.ts';
import { pagesText } from '../../kernel/builder.ts';
import { select } from '../../types.ts';

/** tlb_flush_all_threshold. */
const THRESHOLD = 64;

function fence(k: KernelBuilder): string {
  return k.m.config.hw.tlb === 'broadcast' ? ' (SBI remote fence)' : '';
}

function flushTlbMm(k: KernelBuilder, name: string): void {
  const m = k.m;
  k.invalidate(
    name,
    () => ({ pages: m.allPages, regions: m.allRegions, reach: 'mm', delivery: m.config.hw.tlb, leaf: 0, all: 0, full: 1 }),
    () => `sfence.vma x0, asid (every entry of the ASID, non-leaf included)${fence(k)}`,
    () => name,
  );
}

/** flush_tlb_mm_range / __flush_tlb_range over modelled pages [s, e) with a PAGE or PMD stride. */
function flushTlbRange(k: KernelBuilder, name: string, range: (x: Exec) => [number, number], pmdStride: (x: Exec) => boolean): void {
  const m = k.m;
  const what = (x: Exec): Invalidation => {
    const [s, e] = range(x);
    const real = m.realPages(s, e);
    const strides = pmdStride(x) ? Math.ceil(real / PTRS_PER_PTE) : real;
    if (strides > THRESHOLD) return { pages: m.allPages, regions: m.allRegions, reach: 'mm', delivery: m.config.hw.tlb, leaf: 0, all: 0, full: 1 };
    return { pages: m.pagesMask(s, e), regions: 0, reach: 'mm', delivery: m.config.hw.tlb, leaf: strides, all: 0, full: 0 };
  };
  k.invalidate(
    name,
    what,
    (x) => {
      const [s, e] = range(x);
      const inv = what(x);
      return inv.full
        ? `${pagesText(s, e)}: over ${THRESHOLD} strides, sfence.vma x0, asid (the whole ASID)${fence(k)}`
        : `sfence.vma per page, ${pagesText(s, e)} x${inv.leaf} (leaf entries only)${fence(k)}`;
    },
    (x) => {
      const [s, e] = range(x);
      return `sfence.vma p${s}${e - s > 1 ? `-${e - 1}` : ''}`;
    },
  );
}

const riscvTlbFlush: TlbFlushOps = {
  lazyTlb: 'none',
  flush_tlb_mm(k, name = 'flush_tlb_mm') {
    flushTlbMm(k, name);
  },
  flush_tlb_range(k, _vma, start, end) {
    k.if(
      (x) => end(x) > start(x),
      () => flushTlbRange(k, 'flush_tlb_range', (x) => [start(x), end(x)], () => false),
    );
  },
  flush_tlb_page(k, page: At) {
    flushTlbRange(k, 'flush_tlb_page', (x) => [page(x), page(x) + 1], () => false);
  },
};

const riscvMmuGather: MmuGatherOps = {
  ...genericMmuGather,
  tlb_flush(k) {
    const walkCaches = k.mech('walk-cache-invalidate');
    k.if(
      (x) => x.tlb.fullmm || x.tlb.need_flush_all || (walkCaches && x.tlb.freed_tables),
      () => flushTlbMm(k, 'flush_tlb_mm'),
      () =>
        k.if(
          (x) => x.tlb.end !== 0,
          () => flushTlbRange(k, 'flush_tlb_mm_range', (x) => [x.tlb.start, x.tlb.end], (x) => !x.tlb.cleared_ptes),
        ),
    );
  },
  arch_tlbbatch_flush(k) {
    // __flush_tlb_range(NULL, &batch->cpumask, 0, FLUSH_TLB_MAX_SIZE): every ASID on the CPUs the batch saw.
    flushTlbMm(k, 'arch_tlbbatch_flush');
  },
};

const riscvPgtable: PgtableOps = {
  ...genericPgtable,
  pmdp_collapse_flush(k, _r, clear) {
    // riscv's own: sfence.vma with an address only reaches leaf entries, so the whole ASID.
    clear();
    flushTlbMm(k, 'flush_tlb_mm');
  },
};

export default defineBackend({
  id: 'riscv-6.18',
  kernel: 'v6',
  summary: 'riscv v6.18: IPI (or SBI remote fence) to mm_cpumask, leaf-only sfence.vma per page, the whole ASID when tables were freed or above 64 strides, no MERGE_VMAS, RCU table freeing, batched reclaim flush',
  source: 'MODERN §4.4; arch/riscv/include/asm/tlb.h, arch/riscv/mm/tlbflush.c',
  tree: 'ColinIanKing/linux-next @c0a813cb (tlbflush.c), @053ea0a6 (Kconfig); Qi Zheng, riscv: pgtable: unconditionally use tlb_remove_ptdesc() (Feb 2025)',
  hardware: { tlb: 'ipi', walkCache: true, icache: 'coherent', speculativeWalks: true },
  gupRef: 'speculative',
  flush: { range: 'per-page', rangeICache: 'never', mmICache: false },
  kconfig: select(
    'MMU_GATHER_TABLE_FREE',
    'MMU_GATHER_RCU_TABLE_FREE',
    'ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH',
    'HAVE_GUP_FAST',
    'HAVE_MOVE_PMD',
  ),
  hooks: riscvMmuGather,
  tlbflush: riscvTlbFlush,
  pgtable: riscvPgtable,
});
