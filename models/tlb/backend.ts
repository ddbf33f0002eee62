/**
 * What an architecture backend is, and the generic mmu_gather of
 * asm-generic/tlb.h (2011) that most backends start from. A backend
 * overrides only the hooks its architecture changes, like the kernel's
 * arch/<arch>/include/asm/tlb.h does.
 *
 * Hooks are called with `this` bound to the backend's complete hook table,
 * so a generic hook calling `this.tlb_flush(tlb)` reaches the arch override.
 */
import type { Gather } from './gather.ts';
import type { FlushSemantics, GupRef, Hardware, Vma } from './types.ts';

export interface MmuGatherHooks {
  tlb_gather_mmu(this: MmuGatherHooks, tlb: Gather, fullmm: boolean): void;
  tlb_start_vma(this: MmuGatherHooks, tlb: Gather, vma: Vma): void;
  /** After the PTE of `page` was cleared (ptep_get_and_clear). */
  tlb_remove_tlb_entry(this: MmuGatherHooks, tlb: Gather, vma: Vma, page: number): void;
  tlb_remove_page(this: MmuGatherHooks, tlb: Gather, page: number): void;
  tlb_end_vma(this: MmuGatherHooks, tlb: Gather, vma: Vma): void;
  /** After the upper-level entry of `table` was cleared (pmd_clear). */
  pte_free_tlb(this: MmuGatherHooks, tlb: Gather, table: number): void;
  /** The arch's TLB invalidation for the gathered work. */
  tlb_flush(this: MmuGatherHooks, tlb: Gather): void;
  /** Flush, then free what was batched. */
  tlb_flush_mmu(this: MmuGatherHooks, tlb: Gather): void;
  tlb_finish_mmu(this: MmuGatherHooks, tlb: Gather): void;
}

export interface Backend {
  /** Named after the kernel state it models, e.g. `arm-06824ba8`. */
  readonly id: string;
  /** One line: what it models. */
  readonly summary: string;
  /** Where in ../shared/reference the behaviour is described (line ranges). */
  readonly source: string;
  /** Hardware it runs on by default; every trait can be switched per check. */
  readonly hardware: Hardware;
  /** How its gup_fast takes references (when gup_fast agents are switched on). */
  readonly gupRef: GupRef;
  readonly flush: FlushSemantics;
  readonly hooks: MmuGatherHooks;
}

/**
 * asm-generic/tlb.h as of 2011: pages and page-table pages are batched,
 * need_flush is set by every removal, and tlb_flush_mmu does one
 * flush_tlb_mm before freeing the batch (L155-L170).
 */
export const genericHooks: MmuGatherHooks = {
  tlb_gather_mmu(tlb, fullmm) {
    tlb.fullmm = fullmm;
    tlb.need_flush = false;
    // tlb->nr = num_online_cpus() > 1 ? 0 : ~0: with one CPU, nothing is batched.
    tlb.fastMode = tlb.geometry.cpus === 1;
  },
  // tlb_start_vma: flush_cache_range; data caches are not modelled.
  tlb_start_vma() {},
  tlb_remove_tlb_entry(tlb) {
    tlb.need_flush = true;
  },
  tlb_remove_page(tlb, page) {
    tlb.need_flush = true;
    if (tlb.fastMode) tlb.freePage(page, 'free_page_and_swap_cache');
    else tlb.pages.push(page);
  },
  tlb_end_vma() {},
  pte_free_tlb(tlb, table) {
    tlb.need_flush = true;
    // __pte_free_tlb: tlb_remove_page() on the page-table page.
    if (tlb.fastMode) tlb.freeTable(table, 'free_page_and_swap_cache');
    else tlb.tables.push(table);
  },
  tlb_flush(tlb) {
    tlb.flush_tlb_mm();
  },
  tlb_flush_mmu(tlb) {
    if (!tlb.need_flush) return;
    tlb.need_flush = false;
    tlb.within('tlb_flush', () => this.tlb_flush(tlb));
    tlb.freeBatch();
    tlb.rcuFreeTables();
  },
  tlb_finish_mmu(tlb) {
    tlb.within('tlb_flush_mmu', () => this.tlb_flush_mmu(tlb));
  },
};

/**
 * Range tracking as HAVE_MMU_GATHER_RANGE proposes it: every cleared PTE
 * adds its page, and every freed page table adds everything it maps.
 */
export const rangeTrackingHooks: Pick<MmuGatherHooks, 'tlb_remove_tlb_entry' | 'pte_free_tlb'> = {
  tlb_remove_tlb_entry(tlb, _vma, page) {
    tlb.need_flush = true;
    tlb.track(page, page + 1);
  },
  pte_free_tlb(tlb, table) {
    tlb.need_flush = true;
    const g = tlb.geometry;
    tlb.track(g.regionStart[table]!, g.regionEnd[table]!);
    if (tlb.fastMode) tlb.freeTable(table, 'free_page_and_swap_cache');
    else tlb.tables.push(table);
  },
};

/** Per-page range flushes, no i-cache maintenance: the common case. */
export const PLAIN_FLUSH: FlushSemantics = { range: 'per-page', rangeICache: 'never', mmICache: false };

/** Checks a backend for the mistakes a new backend file is likely to make. */
export function defineBackend(b: Backend): Backend {
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(b.id)) throw new Error(`backend id '${b.id}': use lower-case kernel-style names`);
  return b;
}
