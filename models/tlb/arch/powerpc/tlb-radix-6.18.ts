/**
 * powerpc book3s64 with the radix MMU, v6.18: arch/powerpc/include/asm/
 * tlb.h and arch/powerpc/mm/book3s64/radix_tlb.c (radix__tlb_flush,
 * radix__flush_tlb_range, radix__flush_tlb_mm). Read in raspberrypi/linux
 * @e62c6b05 and the v6.6 change e43c0a0c3c28.
 *
 * - tlbie is broadcast and waits (eieio; tlbsync; ptesync). RIC=0 drops
 *   TLB entries only, RIC=1 the page-walk cache (PWC) only, RIC=2 both.
 * - radix__tlb_flush: fullmm -> RIC=2 for the PID; freed_tables -> the PWC
 *   of the PID (RIC=1) and RIC=0 per page, or RIC=2 for the PID above the
 *   ceiling (33 pages); otherwise RIC=0 per page, or RIC=0 for the PID
 *   above the ceiling. need_flush_all is not read in 6.x.
 * - flush_tlb_range: RIC=0 per page and the PWC only for ranges of
 *   PMD_SIZE or more (mremap's move_normal_pmd); RIC=2 above the ceiling.
 *   flush_tlb_mm is RIC=0 for the PID: the PWC stays.
 * - Not modelled: flush_type_needed's LOCAL and NONE cases (single-threaded
 *   mms trimmed by IPI), the hcall and tlbiel-multicast fallbacks, the
 *   lazy-mm shootdown IPIs of MMU_LAZY_TLB_SHOOTDOWN at fullmm.
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

/** tlb_single_page_flush_ceiling (GLOBAL flushes). */
const CEILING = 33;

type Ric = 'pid0' | 'pid2' | 'va' | 'va+pwc';

function tlbie(k: KernelBuilder, name: string, range: (x: Exec) => [number, number], ric: (x: Exec, real: number) => Ric): void {
  const m = k.m;
  const what = (x: Exec): Invalidation => {
    const [s, e] = range(x);
    const real = m.realPages(s, e);
    const pages = m.pagesMask(s, e);
    switch (ric(x, real)) {
      case 'pid2':
        return { pages: m.allPages, regions: m.allRegions, reach: 'mm', delivery: 'broadcast', leaf: 0, all: 0, full: 1 };
      case 'pid0':
        return { pages: m.allPages, regions: 0, reach: 'mm', delivery: 'broadcast', leaf: 0, all: 0, full: 1 };
      case 'va':
        return { pages, regions: 0, reach: 'mm', delivery: 'broadcast', leaf: real, all: 0, full: 0 };
      case 'va+pwc':
        // One RIC=1 for the PID's whole page-walk cache, then RIC=0 per page.
        return { pages, regions: m.allRegions, reach: 'mm', delivery: 'broadcast', leaf: real, all: 1, full: 0 };
    }
  };
  const texts: Record<Ric, string> = {
    pid2: 'tlbie RIC=2 for the PID (TLB and page-walk cache)',
    pid0: 'tlbie RIC=0 for the PID (TLB entries only: the page-walk cache stays)',
    va: 'tlbie RIC=0 per page (TLB entries only: the page-walk cache stays)',
    'va+pwc': 'tlbie RIC=1 for the PID (page-walk cache), then RIC=0 per page',
  };
  k.invalidate(
    name,
    what,
    (x) => {
      const [s, e] = range(x);
      return `${pagesText(s, e)}: ${texts[ric(x, m.realPages(s, e))]}; tlbsync; ptesync`;
    },
    (x) => {
      const [s, e] = range(x);
      return `tlbie ${ric(x, m.realPages(s, e))} p${s}${e - s > 1 ? `-${e - 1}` : ''}`;
    },
  );
}

const whole = (k: KernelBuilder) => (): [number, number] => [0, k.g.vpages];

const radixTlbFlush: TlbFlushOps = {
  lazyTlb: 'none',
  flush_tlb_mm(k, name = 'radix__flush_tlb_mm') {
    tlbie(k, name, whole(k), () => 'pid0');
  },
  flush_tlb_range(k, _vma, start, end) {
    k.if(
      (x) => end(x) > start(x),
      () => tlbie(k, 'radix__flush_tlb_range', (x) => [start(x), end(x)], (_x, real) => (real > CEILING ? 'pid2' : real >= PTRS_PER_PTE ? 'va+pwc' : 'va')),
    );
  },
  flush_tlb_page(k, page: At) {
    tlbie(k, 'radix__flush_tlb_page', (x) => [page(x), page(x) + 1], () => 'va');
  },
};

const radixMmuGather: MmuGatherOps = {
  ...genericMmuGather,
  tlb_flush(k) {
    const pwc = k.mech('walk-cache-invalidate');
    k.within('radix__tlb_flush', () =>
      k.if(
        (x) => x.tlb.fullmm,
        () => tlbie(k, '__flush_all_mm', whole(k), () => 'pid2'),
        () =>
          k.if(
            (x) => x.tlb.end !== 0,
            () =>
              tlbie(
                k,
                'radix__flush_tlb_range_psize',
                (x) => [x.tlb.start, x.tlb.end],
                (x, real) => (pwc && x.tlb.freed_tables ? (real > CEILING ? 'pid2' : 'va+pwc') : real > CEILING ? 'pid0' : 'va'),
              ),
          ),
      ),
    );
  },
};

const radixPgtable: PgtableOps = {
  ...genericPgtable,
  pmdp_collapse_flush(k, _r, clear) {
    // radix__pmdp_collapse_flush -> radix__flush_tlb_collapsed_pmd: with 4K pages, radix__flush_all_mm (RIC=2).
    clear();
    tlbie(k, 'radix__flush_all_mm', whole(k), () => 'pid2');
  },
};

export default defineBackend({
  id: 'powerpc-radix-6.18',
  kernel: 'v6',
  summary: 'powerpc book3s64 radix v6.18: broadcast tlbie, RIC=0 leaf flushes, the page-walk cache (RIC=1/2) only when tables were freed, fullmm RIC=2, PAGE_SIZE and MERGE_VMAS, RCU table freeing, no batched reclaim flush',
  source: 'MODERN §4.3; arch/powerpc/include/asm/tlb.h, arch/powerpc/mm/book3s64/radix_tlb.c',
  tree: 'raspberrypi/linux @e62c6b05 (radix_tlb.c) with e43c0a0c3c28 (v6.6); linux-next @070c06cd (Kconfig)',
  hardware: { tlb: 'broadcast', walkCache: true, icache: 'coherent', speculativeWalks: true },
  gupRef: 'speculative',
  flush: { range: 'per-page', rangeICache: 'never', mmICache: false },
  kconfig: select(
    'MMU_GATHER_TABLE_FREE',
    'MMU_GATHER_RCU_TABLE_FREE',
    'MMU_GATHER_MERGE_VMAS',
    'MMU_GATHER_PAGE_SIZE',
    'HAVE_GUP_FAST',
  ),
  hooks: radixMmuGather,
  tlbflush: radixTlbFlush,
  pgtable: radixPgtable,
});
