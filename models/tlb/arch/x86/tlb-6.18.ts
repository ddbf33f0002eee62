/**
 * x86-64 as of v6.18: arch/x86/include/asm/tlb.h (tlb_flush),
 * asm/tlbflush.h (flush_tlb_mm, flush_tlb_range, flush_tlb_page, the
 * batched-unmap hooks) and arch/x86/mm/tlb.c (flush_tlb_mm_range,
 * native_flush_tlb_multi, should_flush_tlb, flush_tlb_func,
 * switch_mm_irqs_off). Read in ColinIanKing/linux-next @02a8147f (tlb.c)
 * and linux-mm @1940c3da (tlb.h); MMU_GATHER_RCU_TABLE_FREE is
 * unconditional from v6.15 (tip a37259732a7d), PT_RECLAIM default y.
 *
 * - tlb_flush: the gathered range (all of it for fullmm or need_flush_all),
 *   stride PAGE if PTEs were cleared else PMD, and freed_tables, to
 *   flush_tlb_mm_range.
 * - flush_tlb_mm_range: more than tlb_single_page_flush_ceiling (33)
 *   strides becomes FLUSH_ALL; otherwise INVLPG per stride, which drops the
 *   leaf entries and every paging-structure-cache entry of the PCID (SDM).
 *   IPIs go to mm_cpumask; without freed_tables, should_flush_tlb skips
 *   lazy CPUs and CPUs that switched away ("flushed at the next context
 *   switch"), and they fall behind on tlb_gen.
 * - With --tlb broadcast: an mm with a global ASID on AMD INVLPGB
 *   (broadcast_tlb_flush): every CPU at once, no IPIs.
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

/** tlb_single_page_flush_ceiling. */
const CEILING = 33;

type Range = (x: Exec) => [number, number] | 'all';

/**
 * flush_tlb_mm_range(mm, start, end, stride_shift, freed_tables). `range`
 * gives modelled pages [s, e) or FLUSH_ALL; `pmdStride`: stride_shift is
 * PMD_SHIFT.
 */
function flushTlbMmRange(k: KernelBuilder, name: string, range: Range, pmdStride: Cond, freedTables: Cond): void {
  const m = k.m;
  const toLazy = k.mech('freed-tables-to-lazy');
  const what = (x: Exec): Invalidation => {
    const r = range(x);
    const reach = freedTables(x) && toLazy ? 'mm' : 'active';
    const delivery = m.config.hw.tlb;
    if (r !== 'all') {
      const [s, e] = r;
      const real = m.realPages(s, e);
      const strides = pmdStride(x) ? Math.ceil(real / PTRS_PER_PTE) : real;
      if (strides <= CEILING) return { pages: m.pagesMask(s, e), regions: m.allRegions, reach, delivery, leaf: 0, all: strides, full: 0 };
    }
    return { pages: m.allPages, regions: m.allRegions, reach, delivery, leaf: 0, all: 0, full: 1 };
  };
  k.invalidate(
    name,
    what,
    (x) => {
      const r = range(x);
      const inv = what(x);
      const insn = m.config.hw.tlb === 'broadcast' ? 'INVLPGB' : 'INVLPG';
      const lazy = freedTables(x) ? ', freed_tables: lazy CPUs too' : '';
      if (inv.full) return `${r === 'all' ? 'FLUSH_ALL' : `${pagesText(r[0], r[1])}: over ${CEILING} strides, FLUSH_ALL`} (every entry of the mm${insn === 'INVLPGB' ? ', INVLPGB by PCID' : ', CR3 reload'})${lazy}`;
      const [s, e] = r as [number, number];
      return `${insn} ${pagesText(s, e)} x${inv.all} (the leaf entries, and every paging-structure-cache entry of the PCID)${lazy}`;
    },
    (x) => {
      const r = range(x);
      return r === 'all' ? `${name} all` : `${name} p${r[0]}${r[1] - r[0] > 1 ? `-${r[1] - 1}` : ''}`;
    },
  );
}

const x86TlbFlush: TlbFlushOps = {
  lazyTlb: 'x86',
  flush_tlb_mm(k, name = 'flush_tlb_mm') {
    // flush_tlb_mm_range(mm, 0, TLB_FLUSH_ALL, 0UL, true).
    flushTlbMmRange(
      k,
      name,
      () => 'all',
      () => false,
      () => true,
    );
  },
  flush_tlb_range(k, _vma, start, end) {
    // flush_tlb_mm_range(vma->vm_mm, start, end, PAGE_SHIFT, true): it may be changing upper levels.
    k.if(
      (x) => end(x) > start(x),
      () =>
        flushTlbMmRange(
          k,
          'flush_tlb_range',
          (x) => [start(x), end(x)],
          () => false,
          () => true,
        ),
    );
  },
  flush_tlb_page(k, page: At) {
    flushTlbMmRange(
      k,
      'flush_tlb_page',
      (x) => [page(x), page(x) + 1],
      () => false,
      () => false,
    );
  },
};

const x86MmuGather: MmuGatherOps = {
  ...genericMmuGather,
  tlb_flush(k) {
    k.if(
      (x) => x.tlb.fullmm || x.tlb.need_flush_all || x.tlb.end !== 0,
      () =>
        flushTlbMmRange(
          k,
          'flush_tlb_mm_range',
          (x) => (x.tlb.fullmm || x.tlb.need_flush_all ? 'all' : [x.tlb.start, x.tlb.end]),
          // tlb_get_unmap_shift: PAGE if PTEs were cleared, else PMD.
          (x) => !x.tlb.cleared_ptes,
          (x) => x.tlb.freed_tables,
        ),
    );
  },
  arch_tlbbatch_flush(k) {
    // info(mm = NULL, FLUSH_ALL, freed_tables = false): lazy CPUs are skipped. INVLPGB: invlpgb_flush_all_nonglobals.
    flushTlbMmRange(
      k,
      'arch_tlbbatch_flush',
      () => 'all',
      () => false,
      () => false,
    );
  },
};

export default defineBackend({
  id: 'x86-6.18',
  kernel: 'v6',
  summary: 'x86-64 v6.18: flush_tlb_mm_range with freed_tables, IPIs to mm_cpumask skipping lazy CPUs unless tables were freed, tlb_gen catch-up at switch, INVLPG drops the paging-structure caches, RCU table freeing; --tlb broadcast: INVLPGB',
  source: 'MODERN §4.1, §6; arch/x86/include/asm/tlb.h, asm/tlbflush.h, arch/x86/mm/tlb.c',
  tree: 'ColinIanKing/linux-next @02a8147f (arch/x86/mm/tlb.c), linux-mm/linux-mm @1940c3da (asm/tlb.h); v6.15+ Kconfig (tip a37259732a7d)',
  hardware: { tlb: 'ipi', walkCache: true, icache: 'coherent', speculativeWalks: true },
  gupRef: 'speculative',
  flush: { range: 'per-page', rangeICache: 'never', mmICache: false },
  kconfig: select(
    'MMU_GATHER_TABLE_FREE',
    'MMU_GATHER_RCU_TABLE_FREE',
    'MMU_GATHER_MERGE_VMAS',
    'ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH',
    'HAVE_GUP_FAST',
    'HAVE_MOVE_PMD',
    'PT_RECLAIM',
  ),
  hooks: x86MmuGather,
  tlbflush: x86TlbFlush,
});
