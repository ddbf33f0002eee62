/**
 * The mechanisms of today's kernel a configuration can switch off, one at a
 * time (`--without ID`), to see which invariant each one protects
 * (`tlbcheck why`). Each names the MODERN.md section that specifies it; the
 * generic mm code consults them when it builds a path's program, the way a
 * kernel built without the code would run.
 */
export interface Mechanism {
  readonly id: string;
  readonly statement: string;
  /** MODERN.md section. */
  readonly ref: string;
}

export const MECHANISMS: readonly Mechanism[] = [
  {
    id: 'tlb_flush_pending',
    statement: 'tlb_gather_mmu raises mm->tlb_flush_pending and tlb_finish_mmu drops it last, so a concurrent gather can see this one',
    ref: 'MODERN §2.1, §2.8, §3.5',
  },
  {
    id: 'nested-flush',
    statement: 'tlb_finish_mmu flushes the whole mm, walk caches included, when another gather is in flight (mm_tlb_flush_nested)',
    ref: 'MODERN §2.8',
  },
  {
    id: 'flush_tlb_batched_pending',
    statement: "a path that changes PTEs first flushes, under the PTL, what reclaim deferred (mm->tlb_flush_batched)",
    ref: 'MODERN §3.6',
  },
  {
    id: 'try_to_unmap_flush',
    statement: 'reclaim flushes its deferred TLB invalidation before it frees the folios',
    ref: 'MODERN §3.6',
  },
  {
    id: 'try_to_unmap_flush_dirty',
    statement: 'reclaim flushes its deferred TLB invalidation before it writes a dirty folio back (pageout)',
    ref: 'MODERN §3.6',
  },
  {
    id: 'ptl',
    statement: 'the page-table lock serialises the paths that change the PTEs of one table',
    ref: 'MODERN §3.1, §3.5',
  },
  {
    id: 'vma-detach',
    statement: 'munmap detaches its VMAs from the tree before it downgrades mmap_lock, so operations under the read lock cannot find them',
    ref: 'MODERN §3.2',
  },
  {
    id: 'tlb_remove_table_sync_one',
    statement: 'a table freed without the batch (its allocation failed) waits for an IPI to every CPU, so no interrupts-off walker still reads it',
    ref: 'MODERN §2.7',
  },
  {
    id: 'rcu-table-free',
    statement: 'page tables are freed after an RCU grace period, which interrupts-off walkers (gup_fast) hold off',
    ref: 'MODERN §1.1, §2.7, §5',
  },
  {
    id: 'walk-cache-invalidate',
    statement: 'a gather that freed tables invalidates the walk caches too (arm64 VAE1IS, not VALE1IS; the powerpc radix page-walk cache; the whole ASID on riscv)',
    ref: 'MODERN §2.6, §4.2-§4.4',
  },
  {
    id: 'freed-tables-to-lazy',
    statement: 'x86: a flush that freed tables goes to every CPU in mm_cpumask, lazy ones included, which then leave the mm (switch to init_mm)',
    ref: 'MODERN §4.1, §6',
  },
  {
    id: 'tlb_gen-catch-up',
    statement: 'x86: switch_mm_irqs_off flushes a CPU whose tlb_gen fell behind before it uses the mm again',
    ref: 'MODERN §6',
  },
  {
    id: 'lazy-mmu-flush',
    statement: 'powerpc hash and sparc64 flush the PTE changes batched in a lazy-MMU section when it ends, before the PTL is dropped',
    ref: 'MODERN §4.3, §4.6, §8.7',
  },
  {
    id: 'ipte',
    statement: 's390 purges the TLB entries of a PTE when it clears it (IPTE) while other CPUs have the mm attached',
    ref: 'MODERN §4.5',
  },
  {
    id: 'gup_fast-recheck',
    statement: 'gup_fast re-reads the pmd and the PTE after taking its speculative reference and drops the reference if either changed',
    ref: 'MODERN §5',
  },
  {
    id: 'khugepaged-sync-one',
    statement: 'collapse_huge_page waits (tlb_remove_table_sync_one) after pmdp_collapse_flush, so no interrupts-off walker still uses the detached table when the folios are isolated',
    ref: 'MODERN §3.8, §8.4',
  },
  {
    id: 'isolate-pinned',
    statement: "collapse_huge_page's __collapse_huge_page_isolate gives up on a folio with a reference beyond its mappings (a gup_fast pin), so no pinned page is copied away",
    ref: 'MODERN §3.8',
  },
  {
    id: 'pte_free_defer',
    statement: "khugepaged's retract frees the detached PTE table after an RCU grace period (pte_free_defer), not at once",
    ref: 'MODERN §3.8, §3.9',
  },
  {
    id: 'mremap-flush-under-ptl',
    statement: 'mremap flushes the old range before it drops the page-table locks',
    ref: 'MODERN §3.7',
  },
];

export function findMechanism(id: string): Mechanism | undefined {
  return MECHANISMS.find((m) => m.id === id);
}
