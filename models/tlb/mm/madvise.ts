/**
 * madvise(MADV_DONTNEED) and madvise(MADV_FREE) as mm/madvise.c of v6.16+
 * does them (read in linux-next):
 *
 *   madvise_lock            (VMA_READ mode: takes nothing yet)
 *   madvise_init_tlb        tlb_gather_mmu: tlb_flush_pending+1, before any lock
 *   madvise_walk_vmas       lock_vma_under_rcu when the range lies in one
 *                           attached, unlocked VMA; otherwise mmap_read_lock
 *                           and find the VMAs in the tree
 *     DONTNEED: zap_page_range_single_batched -> unmap_single_vma -> zap_pte_range
 *     FREE:     madvise_free_single_vma: tlb_start_vma, madvise_free_pte_range, tlb_end_vma
 *   vma_end_read            (per-VMA mode: before the flush!)
 *   madvise_finish_tlb      tlb_finish_mmu: the flush and the frees, with no lock held
 *   madvise_unlock          (mmap_read_unlock in the fallback mode)
 *
 * Several threads can run these at once over the same pages, each holding
 * only a read-side lock: the PTL serialises each PTE and the nested-flush
 * rule of tlb_finish_mmu provides invariant 6 (MODERN §3.3).
 */
import { get } from '../../../src/engine/layout.ts';
import type { KernelBuilder } from '../kernel/builder.ts';
import { mmapConflict, pteOffsetMapLock, pteUnmapUnlock } from '../kernel/locks.ts';
import type { Exec } from '../kernel/exec.ts';
import { BLOCKED } from '../kernel/program.ts';
import { MMAP_READ, PTE_DIRTY, PTE_PRESENT, VMA_ATTACHED } from '../state.ts';
import type { Vma } from '../types.ts';
import { pagesIn, unmapPageRange } from './memory.ts';
import { flushTlbBatchedPending } from './rmap.ts';

export type Advice = 'dontneed' | 'free';

/**
 * lock_vma_under_rcu, or the mmap_read_lock fallback: one step. Per-VMA
 * mode needs one VMA covering the range, attached and not write-locked.
 * `via` (a register) records which: 1 per-VMA, 2 mmap read lock.
 */
function madviseLockVmas(k: KernelBuilder, vmas: readonly Vma[]): void {
  const m = k.m;
  const a = k.agent;
  const single = vmas.length === 1 ? vmas[0]! : undefined;
  k.branch(`${k.agent.name} lock`, single ? 'per-VMA lock' : 'mmap_read_lock (range spans VMAs)');
  const perVma = (x: Exec): boolean => single !== undefined && m.vmaState(x.st, single.index) === VMA_ATTACHED && !m.vmaWriteLocked(x.st, single.index);
  k.step({
    kind: 'lock',
    name: 'lock_vma_under_rcu',
    label: (x) => (perVma(x) ? `take vma${single!.index}'s per-VMA read lock` : 'no per-VMA lock (several VMAs, detached or write-locked): take mmap_lock for read'),
    short: (x) => (perVma(x) ? `vma${single!.index} read lock` : 'mmap_read_lock'),
    touches: { reads: [m.comp.mmap, ...vmas.map((v) => m.comp.vma(v.index))], writes: [m.comp.mmap, ...vmas.map((v) => m.comp.vma(v.index))] },
    run: (x) => {
      if (perVma(x)) {
        x.set(a.vmaRead!, single!.index + 1);
        return;
      }
      if (mmapConflict(m, x.st, a, MMAP_READ)) return BLOCKED;
      x.set(a.mmap!, MMAP_READ);
    },
    why: (x) => (!perVma(x) && mmapConflict(m, x.st, a, MMAP_READ) ? 'another agent holds mmap_lock for write' : undefined),
  });
}

/** madvise_free_pte_range over pages [s, e) of one table: under the PTL, clean each dirty PTE and mark its folio lazyfree. */
function madviseFreePteRange(k: KernelBuilder, r: number, s: number, e: number): void {
  if (e <= s) return;
  const m = k.m;
  const g = k.g;
  const a = k.agent;
  const h = k.hooks();
  const pg = k.pgtable();
  const done = k.label();
  k.within('madvise_free_pte_range', () => {
    pteOffsetMapLock(k, r, done);
    flushTlbBatchedPending(k);
    pg.arch_enter_lazy_mmu_mode(k);
    for (let v = s; v < e; v++) {
      const slot = g.slotOf[v]!;
      const f = m.frameOf(v);
      k.if(
        (x) => m.ptePresent(x.st, slot),
        () => {
          k.step({
            kind: 'pte',
            name: 'clear_young_dirty_ptes',
            label: (x) => ((m.pteBits(x.st, slot) & PTE_DIRTY) !== 0 ? `clean PTE of page ${v} (it stays present), folio_clear_dirty, folio_mark_lazyfree` : `PTE of page ${v} is clean: folio_mark_lazyfree`),
            short: () => `MADV_FREE page ${v}`,
            touches: { reads: [m.comp.pte(slot)], writes: [m.comp.pte(slot), m.comp.folio(f), m.comp.rev(a.index)] },
            run: (x) => {
              const bits = m.pteBits(x.st, slot);
              m.setMaskBit(x.st, a.revoked, v, true);
              m.setMaskBit(x.st, m.folioDirtyF, f, false);
              m.setMaskBit(x.st, m.lazyfreeF, f, true);
              x.scratch = 0;
              if ((bits & PTE_PRESENT) !== 0 && (bits & PTE_DIRTY) !== 0) {
                m.setPteBits(x.st, slot, bits & ~PTE_DIRTY);
                k.ptepXchg(x, v, x.tlb.fullmm);
                x.scratch = 1;
              }
            },
          });
          k.if(
            (x) => x.scratch === 1,
            () => {
              pg.pte_changed(k, () => v, () => false);
              k.within('tlb_remove_tlb_entries', () => h.tlb_remove_tlb_entry(k, () => v));
            },
          );
        },
        undefined,
        { reads: [m.comp.pte(slot)], writes: [] },
      );
    }
    pg.arch_leave_lazy_mmu_mode(k);
    pteUnmapUnlock(k, g.tableOf[r]!);
    k.place(done);
  });
}

export function buildMadvise(k: KernelBuilder, advice: Advice, lo: number, hi: number): void {
  const m = k.m;
  const a = k.agent;
  const h = k.hooks();
  const g = k.g;
  const vmas = k.vmasIn(lo, hi);
  const name = advice === 'dontneed' ? 'MADV_DONTNEED' : 'MADV_FREE';
  k.within(`madvise(${name})`, () => {
    k.within('madvise_init_tlb', () => k.within('tlb_gather_mmu', () => h.tlb_gather_mmu(k, false)));
    k.within('madvise_walk_vmas', () => {
      madviseLockVmas(k, vmas);
      for (const v of vmas) {
        // Under the mmap read lock the VMA is looked up in the tree: a VMA munmap detached is not found (-ENOMEM).
        k.if(
          (x) => m.vmaState(x.st, v.index) === VMA_ATTACHED || get(x.st, a.vmaRead!) === v.index + 1,
          () =>
            k.within('madvise_vma_behavior', () => {
              if (advice === 'dontneed') {
                k.within('madvise_dontneed_single_vma', () => k.within('zap_page_range_single_batched', () => unmapPageRange(k, v, lo, hi)));
              } else {
                k.within('madvise_free_single_vma', () => {
                  k.within('tlb_start_vma', () => h.tlb_start_vma(k, v));
                  for (let r = 0; r < g.regions; r++) {
                    const [s, e] = pagesIn(k, v, r, lo, hi);
                    madviseFreePteRange(k, r, s, e);
                  }
                  k.within('tlb_end_vma', () => h.tlb_end_vma(k, v));
                });
              }
            }),
          undefined,
          { reads: [m.comp.vma(v.index)], writes: [] },
        );
      }
      // Per-VMA mode drops its lock before the gather is finished.
      k.if(
        (x) => get(x.st, a.vmaRead!) !== 0,
        () =>
          k.step({
            kind: 'lock',
            name: 'vma_end_read',
            label: (x) => `drop vma${get(x.st, a.vmaRead!) - 1}'s per-VMA read lock`,
            short: () => 'vma_end_read',
            touches: { reads: [], writes: vmas.map((v) => m.comp.vma(v.index)) },
            run: (x) => x.set(a.vmaRead!, 0),
          }),
      );
    });
    k.within('madvise_finish_tlb', () => k.within('tlb_finish_mmu', () => h.tlb_finish_mmu(k)));
    k.within('madvise_unlock', () => k.ret({ mmap: true }));
  });
}
