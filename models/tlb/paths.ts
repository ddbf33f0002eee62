/**
 * The unmapper's kernel paths (DOMAIN §3), written against the mmu_gather
 * hooks. `compilePath` runs one against a backend and returns the atomic
 * steps it performs on shared state, each tagged with its call stack.
 */
import type { Backend, MmuGatherHooks } from './backend.ts';
import { Gather, type Geometry } from './gather.ts';
import type { Op, PathId, Vma } from './types.ts';

export const PATHS: readonly { id: PathId; summary: string; freesTables: boolean; otherUsers: boolean }[] = [
  { id: 'unmap_region', summary: 'munmap: zap every VMA, then free_pgtables, in one gather (fullmm=0)', freesTables: true, otherUsers: true },
  { id: 'shift_arg_pages', summary: "exec's stack move: free_pgd_range only, no tlb_start_vma/tlb_end_vma (\"mode 3\")", freesTables: true, otherUsers: false },
  { id: 'exit_mmap', summary: 'process exit: fullmm=1 gather over every VMA, then free the tables', freesTables: true, otherUsers: false },
  { id: 'zap_page_range', summary: 'madvise(DONTNEED): zap the VMAs, page tables stay', freesTables: false, otherUsers: true },
];

export function compilePath(path: PathId, backend: Backend, geometry: Geometry): Op[] {
  const tlb = new Gather(geometry, backend.flush);
  const h = backend.hooks;
  const call = (name: keyof MmuGatherHooks, fn: (hooks: MmuGatherHooks) => void): void => tlb.within(name, () => fn(h));

  const unmapPageRange = (vma: Vma): void =>
    tlb.within('unmap_page_range', () => {
      call('tlb_start_vma', (k) => k.tlb_start_vma(tlb, vma));
      tlb.within('zap_pte_range', () => {
        for (let p = vma.start; p < vma.end; p++) {
          tlb.clearPte(p);
          call('tlb_remove_tlb_entry', (k) => k.tlb_remove_tlb_entry(tlb, vma, p));
          call('tlb_remove_page', (k) => k.tlb_remove_page(tlb, p));
        }
      });
      call('tlb_end_vma', (k) => k.tlb_end_vma(tlb, vma));
    });
  const unmapVmas = (): void => tlb.within('unmap_vmas', () => geometry.vmas.forEach(unmapPageRange));
  const freeTables = (outer: string): void =>
    tlb.within(outer, () => {
      for (let t = 0; t < geometry.tables; t++) {
        tlb.within('free_pte_range', () => {
          tlb.pmdClear(t);
          call('pte_free_tlb', (k) => k.pte_free_tlb(tlb, t));
        });
      }
    });
  const gather = (fullmm: boolean): void => call('tlb_gather_mmu', (k) => k.tlb_gather_mmu(tlb, fullmm));
  const finish = (): void => call('tlb_finish_mmu', (k) => k.tlb_finish_mmu(tlb));

  tlb.within(path, () => {
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
    tlb.ret();
  });
  return tlb.ops;
}
