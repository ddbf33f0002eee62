/**
 * arm64 as of v6.18: arch/arm64/include/asm/tlb.h (tlb_flush) and
 * asm/tlbflush.h (__flush_tlb_range, flush_tlb_mm, the batched-unmap
 * hooks). Read in raspberrypi/linux @656a52a8 (tlb.h) and linux-mm
 * @3c9e86d8 (tlbflush.h); CPUs without FEAT_TLBIRANGE.
 *
 * - TLBI ...IS is broadcast by the hardware to every CPU in the
 *   inner-shareable domain: no IPI, no mm_cpumask; DSB ISH waits.
 * - tlb_flush: last_level = !freed_tables. A fullmm gather flushes only if
 *   tables were freed (flush_tlb_mm); otherwise __flush_tlb_range, which
 *   issues TLBI VALE1IS per stride (leaf entries only: the walk cache
 *   stays) or, when tables were freed, VAE1IS (every level for those
 *   addresses). From MAX_DVM_OPS (512) strides on, one ASIDE1IS.
 * - No MMU_GATHER_MERGE_VMAS: tlb_end_vma flushes at every VMA.
 * - Batched unmap: arch_tlbbatch_add_pending issues the VALE1IS at once
 *   without waiting, arch_tlbbatch_flush is the DSB. The model applies the
 *   invalidation at the DSB, the latest moment it may take effect.
 */
import { defineBackend } from '../../backend.ts';
import type { At, Cond, KernelBuilder } from '../../kernel/builder.ts';
import type { Exec } from '../../kernel/exec.ts';
import type { Invalidation } from '../../hw/tlb.ts';
import { genericMmuGather, type MmuGatherOps } from '../../mm/mmu_gather.ts';
import type { TlbFlushOps } from '../../asm-generic/tlbflush.ts';
import { PTRS_PER_PTE } from '../../geometry.ts';
import { pagesText } from '../../kernel/builder.ts';
import { select } from '../../types.ts';

/** MAX_DVM_OPS = PTRS_PER_PTE: from this many strides on, __flush_tlb_range flushes the ASID. */
const MAX_DVM_OPS = PTRS_PER_PTE;

function flushTlbMm(k: KernelBuilder, name: string): void {
  const m = k.m;
  k.invalidate(
    name,
    () => ({ pages: m.allPages, regions: m.allRegions, reach: 'mm', delivery: 'broadcast', leaf: 0, all: 0, full: 1 }),
    () => 'TLBI ASIDE1IS (every entry of the ASID, walk cache included); DSB ISH',
    () => name,
  );
}

/** __flush_tlb_range(vma, start, end, stride, last_level): modelled pages [s, e); `pmdStride`: stride is PMD_SIZE. */
function flushTlbRange(k: KernelBuilder, name: string, range: (x: Exec) => [number, number], pmdStride: Cond, lastLevel: Cond): void {
  const m = k.m;
  const what = (x: Exec): Invalidation => {
    let [s, e] = range(x);
    const pmd = pmdStride(x);
    if (pmd) {
      // Rounded out to the stride: the whole page tables the range lies in.
      const pages = m.pagesOfRegions(m.regionsOfPages(m.pagesMask(s, e)));
      s = 31 - Math.clz32(pages & -pages);
      e = 32 - Math.clz32(pages);
    }
    const real = m.realPages(s, e);
    const strides = pmd ? Math.ceil(real / PTRS_PER_PTE) : real;
    if (strides >= MAX_DVM_OPS) return { pages: m.allPages, regions: m.allRegions, reach: 'mm', delivery: 'broadcast', leaf: 0, all: 0, full: 1 };
    const pages = m.pagesMask(s, e);
    if (lastLevel(x)) return { pages, regions: 0, reach: 'mm', delivery: 'broadcast', leaf: strides, all: 0, full: 0 };
    return { pages, regions: m.regionsOfPages(pages), reach: 'mm', delivery: 'broadcast', leaf: 0, all: strides, full: 0 };
  };
  k.invalidate(
    name,
    what,
    (x) => {
      const [s, e] = range(x);
      const inv = what(x);
      if (inv.full) return `${pagesText(s, e)}: ${MAX_DVM_OPS} strides or more, TLBI ASIDE1IS (every entry of the ASID); DSB ISH`;
      return inv.leaf
        ? `TLBI VALE1IS ${pagesText(s, e)} x${inv.leaf} (leaf entries only: the walk cache stays); DSB ISH`
        : `TLBI VAE1IS ${pagesText(s, e)} x${inv.all} (every level for these addresses, walk cache included); DSB ISH`;
    },
    (x) => {
      const [s, e] = range(x);
      return `${lastLevel(x) ? 'VALE1IS' : 'VAE1IS'} p${s}${e - s > 1 ? `-${e - 1}` : ''}`;
    },
  );
}

const arm64TlbFlush: TlbFlushOps = {
  lazyTlb: 'none',
  flush_tlb_mm(k, name = 'flush_tlb_mm') {
    flushTlbMm(k, name);
  },
  flush_tlb_range(k, _vma, start, end) {
    // Every level: callers may be moving or collapsing tables (the header says so).
    k.if(
      (x) => end(x) > start(x),
      () =>
        flushTlbRange(
          k,
          'flush_tlb_range',
          (x) => [start(x), end(x)],
          () => false,
          () => false,
        ),
    );
  },
  flush_tlb_page(k, page: At) {
    flushTlbRange(
      k,
      'flush_tlb_page',
      (x) => [page(x), page(x) + 1],
      () => false,
      () => true,
    );
  },
};

const arm64MmuGather: MmuGatherOps = {
  ...genericMmuGather,
  tlb_flush(k) {
    const walkCaches = k.mech('walk-cache-invalidate');
    k.if(
      (x) => x.tlb.fullmm,
      // The ASID allocator will not hand the ASID out again without invalidating it: only freed tables need a flush now.
      () =>
        k.if(
          (x) => x.tlb.freed_tables,
          () => flushTlbMm(k, 'flush_tlb_mm'),
        ),
      () =>
        k.if(
          (x) => x.tlb.end !== 0,
          () =>
            flushTlbRange(
              k,
              '__flush_tlb_range',
              (x) => [x.tlb.start, x.tlb.end],
              (x) => !x.tlb.cleared_ptes,
              walkCaches ? (x) => !x.tlb.freed_tables : () => true,
            ),
        ),
    );
  },
  arch_tlbbatch_flush(k, frames) {
    // dsb(ish): completes the TLBI VALE1IS that arch_tlbbatch_add_pending issued for each page reclaim unmapped.
    const m = k.m;
    const pagesOf = (x: Exec): number => {
      const f = frames ? frames(x) : 2 ** m.K - 1;
      let b = 0;
      for (let v = 0; v < m.V; v++) if ((f >>> m.frameOf(v)) & 1) b |= 1 << v;
      return b;
    };
    k.invalidate(
      'arch_tlbbatch_flush',
      (x) => ({ pages: pagesOf(x), regions: 0, reach: 'mm', delivery: 'broadcast', leaf: 0, all: 0, full: 0 }),
      () => 'dsb(ish): the TLBI VALE1IS issued when each page was unmapped complete (leaf entries only)',
      () => 'arch_tlbbatch_flush (dsb)',
    );
  },
};

export default defineBackend({
  id: 'arm64-6.18',
  kernel: 'v6',
  summary: 'arm64 v6.18: broadcast TLBI, leaf-only VALE1IS unless freed_tables (VAE1IS), fullmm flushes only freed tables, ASIDE1IS from 512 strides, no MERGE_VMAS, RCU table freeing',
  source: 'MODERN §4.2; arch/arm64/include/asm/tlb.h, asm/tlbflush.h',
  tree: 'raspberrypi/linux @656a52a8 (asm/tlb.h), linux-mm/linux-mm @3c9e86d8 (asm/tlbflush.h), linux-next @01f07b97 (Kconfig)',
  hardware: { tlb: 'broadcast', walkCache: true, icache: 'coherent', speculativeWalks: true },
  gupRef: 'speculative',
  flush: { range: 'per-page', rangeICache: 'never', mmICache: false },
  kconfig: select(
    'MMU_GATHER_TABLE_FREE',
    'MMU_GATHER_RCU_TABLE_FREE',
    'ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH',
    'HAVE_GUP_FAST',
    'HAVE_MOVE_PMD',
  ),
  hooks: arm64MmuGather,
  tlbflush: arm64TlbFlush,
});
