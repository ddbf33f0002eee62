/**
 * munmap as mm/vma.c of v6.18 does it (do_vmi_align_munmap):
 *
 *   mmap_write_lock
 *   vms_gather_munmap_vmas: per VMA vma_start_write, vma_mark_detached
 *   vma_iter_clear_gfp: the VMAs leave the mm's tree
 *   vms_complete_munmap_vmas:
 *     mmap_write_downgrade          (from here on, read-locked operations run beside it)
 *     vms_clear_ptes: tlb_gather_mmu, unmap_vmas, free_pgtables, tlb_finish_mmu
 *     remove_vma per VMA
 *     mmap_read_unlock
 *
 * The page tables are freed under the read lock only: "VMAs were isolated
 * before we downgraded". `--without vma-detach` leaves them attached (and
 * not write-locked) until remove_vma, to show what the isolation buys.
 */
import type { KernelBuilder } from '../kernel/builder.ts';
import { BLOCKED } from '../kernel/program.ts';
import { mmapLock, mmapWriteDowngrade, vmaReadHeldByOther } from '../kernel/locks.ts';
import { MMAP_WRITE, VMA_DETACHED, VMA_FREED } from '../state.ts';
import type { Vma } from '../types.ts';
import { freeableTables, freePgtables, unmapVmas } from './memory.ts';

/** vma_start_write + vma_mark_detached: waits for per-VMA readers, then hides the VMA from lock_vma_under_rcu. */
function detachVma(k: KernelBuilder, v: Vma): void {
  const m = k.m;
  const a = k.agent;
  k.step({
    kind: 'vma',
    name: 'vma_mark_detached',
    label: () => `vma_start_write + vma_mark_detached: vma${v.index} (pages ${v.start}-${v.end - 1}) leaves the tree`,
    short: () => `detach vma${v.index}`,
    touches: { reads: [m.comp.vma(v.index)], writes: [m.comp.vma(v.index)] },
    run: (x) => {
      if (vmaReadHeldByOther(m, x.st, a, v.index)) return BLOCKED;
      m.setVmaState(x.st, v.index, VMA_DETACHED);
      m.setVmaWriteLocked(x.st, v.index, true);
    },
    why: (x) => (vmaReadHeldByOther(m, x.st, a, v.index) ? `another agent holds vma${v.index}'s per-VMA read lock` : undefined),
  });
}

/**
 * do_vmi_munmap over the VMAs of pages [lo, hi]; `unlock` says whether the
 * caller's write lock is downgraded and dropped (munmap) or kept (mremap).
 */
export function doVmiMunmap(k: KernelBuilder, lo: number, hi: number, vmas: readonly Vma[], unlock: boolean): void {
  const m = k.m;
  const h = k.hooks();
  const isolate = k.mech('vma-detach');
  const tables = k.reg('free_tables', 2 ** k.g.regions - 1);
  k.within('do_vmi_align_munmap', () => {
    k.within('vms_gather_munmap_vmas', () => {
      if (isolate) for (const v of vmas) detachVma(k, v);
      // Floor and ceiling: tables shared with a VMA that stays are not freed.
      freeableTables(k, vmas, tables);
    });
    // vma_iter_clear_gfp: removing them from the maple tree changes nothing another agent can see while
    // the write lock is held (lookups take mmap_lock or fail on the detached mark).
    k.within('vms_complete_munmap_vmas', () => {
      if (unlock) mmapWriteDowngrade(k);
      k.within('vms_clear_ptes', () => {
        k.within('tlb_gather_mmu', () => h.tlb_gather_mmu(k, false));
        unmapVmas(k, vmas, lo, hi);
        freePgtables(k, vmas, tables);
        k.within('tlb_finish_mmu', () => h.tlb_finish_mmu(k));
      });
      k.within('remove_vma', () =>
        k.local(
          (x) => {
            for (const v of vmas) m.setVmaState(x.st, v.index, VMA_FREED);
            x.set(tables, 0);
          },
          { reads: [], writes: vmas.map((v) => m.comp.vma(v.index)) },
        ),
      );
    });
  });
}

/** The munmap syscall over pages [lo, hi] (whole VMAs). */
export function buildMunmap(k: KernelBuilder, lo: number, hi: number): void {
  const vmas = k.vmasIn(lo, hi);
  k.within('munmap', () => {
    k.within('__vm_munmap', () => {
      mmapLock(k, MMAP_WRITE);
      doVmiMunmap(k, lo, hi, vmas, true);
    });
    k.ret({ mmap: true });
  });
}

