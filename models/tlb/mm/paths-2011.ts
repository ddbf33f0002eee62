/**
 * The kernel paths of the 2011 thread (DOMAIN §3), as the hooks of a 2011
 * backend run them: unmap_region and exit_mmap (mm/mmap.c), shift_arg_pages
 * (fs/exec.c) and zap_page_range (mm/memory.c). They take no locks the
 * model needs: they ran with the mmap_lock held for write, alone.
 */
import type { Backend2011, MmuGatherHooks } from '../backend.ts';
import type { KernelBuilder } from '../kernel/builder.ts';
import type { Vma } from '../types.ts';

export type Path2011 = 'unmap_region' | 'shift_arg_pages' | 'exit_mmap' | 'zap_page_range';

export function build2011(path: Path2011, k: KernelBuilder, backend: Backend2011, lo: number, hi: number): void {
  const h = backend.hooks;
  const g = k.g;
  const call = (name: keyof MmuGatherHooks, fn: (hooks: MmuGatherHooks) => void): void => k.within(name, () => fn(h));

  const unmapPageRange = (vma: Vma): void =>
    k.within('unmap_page_range', () => {
      call('tlb_start_vma', (x) => x.tlb_start_vma(k, vma));
      k.within('zap_pte_range', () => {
        for (let p = vma.start; p < vma.end; p++) {
          const page = (): number => p;
          k.clear_pte(page);
          call('tlb_remove_tlb_entry', (x) => x.tlb_remove_tlb_entry(k, vma, page));
          call('tlb_remove_page', (x) => x.tlb_remove_page(k, page));
        }
      });
      call('tlb_end_vma', (x) => x.tlb_end_vma(k, vma));
    });
  const unmapVmas = (): void => k.within('unmap_vmas', () => k.vmasIn(lo, hi).forEach(unmapPageRange));
  const freeTables = (outer: string): void =>
    k.within(outer, () => {
      for (let t = 0; t < g.tables; t++) {
        k.within('free_pte_range', () => {
          k.pmd_clear(t);
          call('pte_free_tlb', (x) => x.pte_free_tlb(k, t));
        });
      }
    });
  const gather = (fullmm: boolean): void => call('tlb_gather_mmu', (x) => x.tlb_gather_mmu(k, fullmm));
  const finish = (): void => call('tlb_finish_mmu', (x) => x.tlb_finish_mmu(k));

  k.within(path, () => {
    switch (path) {
      case 'unmap_region':
        gather(false);
        unmapVmas();
        freeTables('free_pgtables');
        finish();
        break;
      case 'shift_arg_pages':
        gather(false);
        freeTables('free_pgd_range');
        finish();
        break;
      case 'exit_mmap':
        gather(true);
        unmapVmas();
        freeTables('free_pgtables');
        finish();
        break;
      case 'zap_page_range':
        gather(false);
        unmapVmas();
        finish();
        break;
    }
    k.ret();
  });
}
