/**
 * exit_mmap as mm/mmap.c does it since v6.1 (read at about v6.10 and in
 * linux-next): the fullmm zap under the mmap read lock, then the page
 * tables under the write lock.
 *
 *   mmap_read_lock; tlb_gather_mmu_fullmm; unmap_vmas; mmap_read_unlock
 *   set MMF_OOM_SKIP; mmap_write_lock
 *   free_pgtables (vma_start_write each); tlb_finish_mmu; remove_vma each
 *   mmap_write_unlock
 */
import type { KernelBuilder } from '../kernel/builder.ts';
import { mmapLock } from '../kernel/locks.ts';
import { MMAP_NONE, MMAP_READ, MMAP_WRITE, VMA_FREED } from '../state.ts';
import { freePgtables, unmapVmas } from './memory.ts';

export function buildExitMmap(k: KernelBuilder): void {
  const h = k.hooks();
  const m = k.m;
  const a = k.agent;
  const vmas = k.g.vmas.filter((v) => v.copyOf < 0);
  const tables = k.reg('free_tables', 2 ** k.g.regions - 1);
  k.within('exit_mmap', () => {
    mmapLock(k, MMAP_READ);
    k.within('tlb_gather_mmu_fullmm', () => h.tlb_gather_mmu(k, true));
    unmapVmas(k, vmas, 0, k.g.pages - 1);
    k.step({
      kind: 'lock',
      name: 'mmap_read_unlock',
      label: () => 'drop mmap_lock (MMF_OOM_SKIP is set next)',
      short: () => 'mmap_read_unlock',
      touches: { reads: [], writes: [m.comp.mmap] },
      run: (x) => x.set(a.mmap!, MMAP_NONE),
    });
    mmapLock(k, MMAP_WRITE);
    k.local((x) => x.set(tables, 2 ** k.g.tables - 1));
    freePgtables(k, vmas, tables);
    k.within('tlb_finish_mmu', () => h.tlb_finish_mmu(k));
    k.within('remove_vma', () =>
      k.local(
        (x) => {
          for (const v of vmas) m.setVmaState(x.st, v.index, VMA_FREED);
        },
        { reads: [], writes: vmas.map((v) => m.comp.vma(v.index)) },
      ),
    );
    k.ret({ mmap: true });
  });
}
