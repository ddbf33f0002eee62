/**
 * The registry of kernel paths an agent can run (`--run cpuN=PATH`). A path
 * is one file that builds its program against a KernelBuilder and the
 * backend's hooks, plus one entry here. A path id names the kernel
 * operation; what code runs is the backend's kernel generation's (the 2011
 * exit_mmap and today's are different programs under one name).
 */
import type { KernelAgent, Revokes } from './kernel/agent.ts';
import { FLUSH_MM, type KernelBuilder } from './kernel/builder.ts';
import { build2011, type Path2011 } from './mm/paths-2011.ts';
import { buildMadvise } from './mm/madvise.ts';
import { buildExitMmap } from './mm/mmap.ts';
import { buildMprotect } from './mm/mprotect.ts';
import { buildMremap } from './mm/mremap.ts';
import { buildReclaim } from './mm/vmscan.ts';
import { buildMunmap } from './mm/vma.ts';
import { buildCollapseHugePage, buildCollapsePteMappedThp } from './mm/khugepaged.ts';
import type { KernelGeneration } from './types.ts';

export interface PathInfo {
  readonly id: string;
  readonly summary: string;
  /** Kernel generations that have this path. */
  readonly kernels: readonly KernelGeneration[];
  /** Whether the mm has other users while it runs (accessors and gup_fast may run). */
  readonly otherUsers: boolean;
  /** Whether it frees page tables (a walker can then read a freed table). */
  readonly freesTables: boolean;
  /** What its caller is promised at return (invariant 6). */
  readonly revokes: Revokes;
  /** Whether PTE write/dirty bits matter to it (MADV_FREE, reclaim, mprotect). */
  readonly writes: boolean;
  /** Reclaim: uses mm->tlb_flush_batched and holds its own reference on the folio. */
  readonly reclaim: boolean;
  /** khugepaged: it changes the pmd of a table under other paths' feet, so it runs as the only kernel agent. */
  readonly khugepaged?: boolean;
  /** Whether users list it (the flusher is internal). */
  readonly listed: boolean;
  build(k: KernelBuilder, agent: KernelAgent): void;
}

function v6(id: string, summary: string, o: Partial<PathInfo> & Pick<PathInfo, 'build' | 'revokes'>): PathInfo {
  return { id, summary, kernels: ['v6'], otherUsers: true, freesTables: false, writes: false, reclaim: false, listed: true, ...o };
}

function path2011(id: Path2011, summary: string, otherUsers: boolean, freesTables: boolean): PathInfo {
  return {
    id,
    summary,
    kernels: ['2011'],
    otherUsers,
    freesTables,
    revokes: id === 'shift_arg_pages' ? 'none' : 'mapping',
    writes: false,
    reclaim: false,
    listed: true,
    build: (k, a) => {
      if (k.backend.kernel !== '2011') throw new Error(`${id}: no v6 program`);
      build2011(id, k, k.backend, a.lo, a.hi);
    },
  };
}

/** The second IPI initiator of the deadlock case: flush_tlb_mm by IPI, optionally waiting with interrupts off. */
const flusher: PathInfo = {
  id: 'flusher',
  summary: 'a second CPU sending flush_tlb_mm IPIs (the IPI-deadlock case)',
  kernels: ['2011', 'v6'],
  otherUsers: true,
  freesTables: false,
  revokes: 'none',
  writes: false,
  reclaim: false,
  listed: false,
  build: (k, a) => {
    const irqsOff = k.m.config.flusherIrqsOff;
    const V = k.g.vpages;
    const R = k.g.regions;
    const icache = k.backend.flush.mmICache;
    k.within('flusher', () => {
      k.step({
        kind: 'flush',
        name: 'flush_tlb_mm',
        label: () => `${irqsOff ? 'local_irq_disable; ' : ''}flush_tlb_mm (IPI to every other CPU)`,
        short: () => 'flusher: flush_tlb_mm',
        run: (x) => {
          if (irqsOff) x.set(a.irqoff, 1);
          x.m.sendFlush(x, FLUSH_MM, 2 ** V - 1, 2 ** R - 1, icache, true, 0);
        },
      });
      k.step({
        kind: 'irq',
        name: '',
        label: () => `all CPUs acknowledged${irqsOff ? '; local_irq_enable' : ''}`,
        short: () => 'flusher: acks in',
        run: (x) => {
          if (x.flag(a.irqoff)) {
            x.set(a.irqoff, 0);
            x.m.leaveIrqOff(x.st, x.cpu);
          }
        },
      });
    });
  },
};

const exit2011 = path2011('exit_mmap', '', false, true);

export const PATHS: readonly PathInfo[] = [
  path2011('unmap_region', 'munmap (2011): zap every VMA, then free_pgtables, in one gather (fullmm=0)', true, true),
  path2011('shift_arg_pages', "exec's stack move (2011): free_pgd_range only, no tlb_start_vma/tlb_end_vma (\"mode 3\")", false, true),
  {
    ...exit2011,
    summary: 'process exit: 2011: one fullmm gather over every VMA, then the tables; v6.1+: the zap under mmap_read_lock, the tables under mmap_write_lock',
    kernels: ['2011', 'v6'],
    build: (k, a) => (k.backend.kernel === '2011' ? exit2011.build(k, a) : buildExitMmap(k)),
  },
  path2011('zap_page_range', 'madvise(DONTNEED) (2011): zap the VMAs, page tables stay', true, false),
  v6('munmap', 'munmap (v6.18, mm/vma.c): detach the VMAs under mmap_write_lock, downgrade, then zap and free_pgtables under the read lock', {
    revokes: 'mapping',
    freesTables: true,
    build: (k, a) => buildMunmap(k, a.lo, a.hi),
  }),
  v6('madvise_dontneed', 'madvise(MADV_DONTNEED) (v6.16+): one gather, per-VMA lock (or mmap_read_lock), zap_page_range_single_batched; tables stay', {
    revokes: 'mapping',
    build: (k, a) => buildMadvise(k, 'dontneed', a.lo, a.hi),
  }),
  v6('madvise_free', 'madvise(MADV_FREE) (v6.16+): clean the dirty PTEs and mark the folios lazyfree; nothing is freed', {
    revokes: 'write',
    writes: true,
    build: (k, a) => buildMadvise(k, 'free', a.lo, a.hi),
  }),
  v6('mprotect', 'mprotect(PROT_READ) (v6.18, mm/mprotect.c): write-protect the PTEs under mmap_write_lock, one gather', {
    revokes: 'write',
    writes: true,
    build: (k, a) => buildMprotect(k, a.lo, a.hi),
  }),
  v6('mremap', 'mremap (v6.18, mm/mremap.c): move the PTEs (move_ptes) or whole tables (move_normal_pmd) to pages K+p, flushing the old range under the locks; then unmap the old VMA', {
    revokes: 'mapping',
    freesTables: true,
    build: (k, a) => buildMremap(k, a.lo, a.hi),
  }),
  v6('reclaim', 'reclaim (kswapd, v6.18 mm/vmscan.c + mm/rmap.c): try_to_unmap with the flush deferred, pageout, try_to_unmap_flush, free', {
    revokes: 'none',
    writes: true,
    reclaim: true,
    build: (k, a) => buildReclaim(k, a.lo, a.hi),
  }),
  v6('collapse_huge_page', 'khugepaged anon collapse (v6.18 mm/khugepaged.c): pmdp_collapse_flush, tlb_remove_table_sync_one, isolate (gives up on a gup_fast pin), copy and free the pages, deposit the table, install the huge pmd', {
    revokes: 'none',
    khugepaged: true,
    build: (k, a) => buildCollapseHugePage(k, a.lo),
  }),
  v6('collapse_pte_mapped_thp', 'khugepaged file retract (v6.18 mm/khugepaged.c): pte_offset_map_rw_nolock and pmd_same, clear the PTEs, pmdp_collapse_flush, pte_free_defer (RCU), install the huge pmd', {
    revokes: 'none',
    freesTables: true,
    khugepaged: true,
    build: (k, a) => buildCollapsePteMappedThp(k, a.lo),
  }),
  flusher,
];

export function findPath(id: string): PathInfo | undefined {
  return PATHS.find((p) => p.id === id);
}
