/**
 * struct mmu_gather at compile time. The unmapper's path runs once, when the
 * model is built, against the backend's hooks; the hooks read and write the
 * gather's fields exactly like the kernel's do, and every effect they have on
 * shared state (clear a PTE, flush, free a frame) is appended as one atomic
 * Op. Only those Ops are interleaved with the other agents during the search.
 */
import type { FlushSemantics, Op, Stack, Vma } from './types.ts';

export interface Geometry {
  readonly pages: number;
  readonly tables: number;
  readonly vmas: readonly Vma[];
  /** Region (page-table page) covering each page. */
  readonly regionOf: readonly number[];
  /** First and one-past-last page of each region. */
  readonly regionStart: readonly number[];
  readonly regionEnd: readonly number[];
  /** mm->mm_users while the path runs (threads sharing the mm; 0 in exit_mmap). */
  readonly mmUsers: number;
  /** CPUs online (asm-generic's gather runs in "fast mode" on one). */
  readonly cpus: number;
}

export class Gather {
  /** tlb->fullmm: the whole address space is being torn down. */
  fullmm = false;
  /** tlb->need_flush: something was unmapped or freed since the last flush. */
  need_flush = false;
  /** The VMA of the last tlb_start_vma (ARM's tlb->vma), null before any. */
  vma: Vma | null = null;
  /** Tracked range in pages, [range_start, range_end); empty when range_end <= range_start. */
  range_start = Number.POSITIVE_INFINITY;
  range_end = 0;
  /** Pages and page-table pages batched for freeing after the flush. */
  readonly pages: number[] = [];
  readonly tables: number[] = [];
  /** Tables handed to tlb_remove_table (RCU-deferred freeing). */
  readonly rcuTables: number[] = [];
  /** A cleared PTE had its exec bit (pte_exec), for HAVE_MMU_GATHER_ITLB. */
  exec = false;
  /** asm-generic's tlb_fast_mode(): one CPU online, so pages are freed at once instead of batched. */
  fastMode = false;

  private readonly stack: string[] = [];
  readonly ops: Op[] = [];

  constructor(
    readonly geometry: Geometry,
    private readonly flush: FlushSemantics,
  ) {}

  // ---- call-stack bookkeeping, so every Op names the hooks that issued it ----

  /** Runs `fn` with `name` pushed on the call stack shown in traces. */
  within<T>(name: string, fn: () => T): T {
    this.stack.push(name);
    try {
      return fn();
    } finally {
      this.stack.pop();
    }
  }

  private here(leaf?: string): Stack {
    return leaf ? [...this.stack, leaf] : [...this.stack];
  }

  // ---- range tracking ----

  /** Extends the tracked range to cover pages [start, end). */
  track(start: number, end: number): void {
    this.range_start = Math.min(this.range_start, start);
    this.range_end = Math.max(this.range_end, end);
  }

  get hasRange(): boolean {
    return this.range_end > this.range_start;
  }

  resetRange(): void {
    this.range_start = Number.POSITIVE_INFINITY;
    this.range_end = 0;
  }

  // ---- effects on shared state (each appends one atomic Op) ----

  clearPte(page: number): void {
    this.ops.push({ kind: 'clear_pte', page, stack: this.here('ptep_get_and_clear') });
  }

  pmdClear(table: number): void {
    this.ops.push({ kind: 'pmd_clear', table, stack: this.here('pmd_clear') });
  }

  flush_tlb_mm(): void {
    const g = this.geometry;
    this.ops.push({
      kind: 'flush',
      primitive: 'flush_tlb_mm',
      pageMask: 2 ** g.pages - 1,
      regionMask: 2 ** g.tables - 1,
      icache: this.flush.mmICache,
      extent: 'whole mm',
      fullFlush: true,
      perPage: 0,
      stack: this.here('flush_tlb_mm'),
    });
  }

  /**
   * flush_tlb_range over pages [start, end). `vma` is the VMA passed in (its
   * flags decide i-cache eviction on Tile), or null for the mm-based variant
   * Peter proposes.
   */
  flush_tlb_range(vma: Vma | null, start: number, end: number): void {
    const g = this.geometry;
    const s = Math.max(0, start);
    const e = Math.min(g.pages, end);
    if (e <= s) return;
    if (this.flush.range === 'full') {
      // x86 2.6.38: flush_tlb_range is a full flush of the mm.
      this.ops.push({
        kind: 'flush',
        primitive: 'flush_tlb_range',
        pageMask: 2 ** g.pages - 1,
        regionMask: 2 ** g.tables - 1,
        icache: this.rangeICache(vma),
        extent: `${pagesText(s, e)} (flushes the whole mm)`,
        fullFlush: true,
        perPage: 0,
        stack: this.here('flush_tlb_range'),
      });
      return;
    }
    let pageMask = 0;
    let regionMask = 0;
    for (let p = s; p < e; p++) {
      pageMask |= 1 << p;
      regionMask |= 1 << g.regionOf[p]!;
    }
    this.ops.push({
      kind: 'flush',
      primitive: 'flush_tlb_range',
      pageMask,
      regionMask,
      icache: this.rangeICache(vma),
      extent: `${pagesText(s, e)}${vma ? ` of vma${vma.index}${vma.exec ? ' (VM_EXEC)' : ''}` : ''}`,
      fullFlush: false,
      perPage: e - s,
      stack: this.here('flush_tlb_range'),
    });
  }

  private rangeICache(vma: Vma | null): boolean {
    switch (this.flush.rangeICache) {
      case 'never':
        return false;
      case 'always':
        return true;
      case 'vm-exec':
        return vma !== null && vma.exec;
      case 'pte-exec':
        return this.exec;
    }
  }

  /** Frees a data page at once (free_page_and_swap_cache). */
  freePage(page: number, leaf = 'free_page_and_swap_cache'): void {
    this.ops.push({ kind: 'free_page', page, stack: this.here(leaf) });
  }

  /** Frees a page-table page at once (pte_free). */
  freeTable(table: number, leaf = 'pte_free'): void {
    this.ops.push({ kind: 'free_table', table, stack: this.here(leaf) });
  }

  /** Frees every batched page and table, in batching order. */
  freeBatch(): void {
    this.within('free_pages_and_swap_cache', () => {
      for (const p of this.pages) this.freePage(p, 'put_page');
      for (const t of this.tables) this.freeTable(t, 'put_page');
    });
    this.pages.length = 0;
    this.tables.length = 0;
  }

  /** Hands the tables batched by tlb_remove_table to RCU (call_rcu_sched). */
  rcuFreeTables(): void {
    if (this.rcuTables.length === 0) return;
    let mask = 0;
    for (const t of this.rcuTables) mask |= 1 << t;
    this.ops.push({ kind: 'call_rcu', tables: mask, stack: this.here('call_rcu_sched') });
    this.rcuTables.length = 0;
  }

  ret(): void {
    this.ops.push({ kind: 'return', stack: this.here() });
  }
}

function span(s: number, e: number): string {
  return e - s === 1 ? `${s}` : `${s}-${e - 1}`;
}

function pagesText(s: number, e: number): string {
  return `${e - s === 1 ? 'page' : 'pages'} ${span(s, e)}`;
}
