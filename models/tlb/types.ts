/**
 * The vocabulary of the TLB-shootdown machine: VMAs, the micro-operations a
 * compiled kernel path executes one atomic step at a time, the hardware
 * traits, and what an architecture backend is.
 */

/** A VMA of the unmapped range: pages [start, end), with its flags. */
export interface Vma {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** VM_EXEC: its PTEs carry the exec bit and CPUs may execute from its pages. */
  readonly exec: boolean;
}

export type TlbDelivery = 'ipi' | 'broadcast';
export type ICacheKind = 'coherent' | 'incoherent';

export interface Hardware {
  /** How TLB maintenance reaches other CPUs: an IPI each target handles with interrupts on, or a hardware broadcast. */
  readonly tlb: TlbDelivery;
  /** Whether CPUs cache upper-level (pmd) entries: ARM LPAE "L1 entries", x86 paging-structure caches. */
  readonly walkCache: boolean;
  /** Whether the i-cache snoops writes (coherent) or keeps stale lines until evicted (Tile). */
  readonly icache: ICacheKind;
  /**
   * Whether the MMU walks page tables on its own, speculatively (ARMv7, x86,
   * ia64's VHPT walker), or only refills the TLB on a miss of a real access
   * (SH and Tile refill in software). Sets the default of --walker.
   */
  readonly speculativeWalks: boolean;
}

/** How gup_fast takes its reference on the page it found. */
export type GupRef = 'get_page' | 'speculative';

/**
 * When a flush also evicts the i-cache of its targets (only matters on
 * incoherent i-cache hardware):
 * - never: no flush touches the i-cache;
 * - vm-exec: flush_tlb_range evicts it iff the VMA passed in has VM_EXEC (Tile 2.6.38);
 * - always: every range flush evicts it (Tile after Peter's change);
 * - pte-exec: iff a cleared PTE had its exec bit (HAVE_MMU_GATHER_ITLB).
 */
export type ICacheRule = 'never' | 'vm-exec' | 'always' | 'pte-exec';

/** What the architecture's flush primitives do. */
export interface FlushSemantics {
  /** flush_tlb_range: invalidate page by page (ARM), or flush the whole mm (x86 2.6.38). */
  readonly range: 'per-page' | 'full';
  readonly rangeICache: ICacheRule;
  /** Whether flush_tlb_mm evicts the i-cache (Tile's flush_remote with HV_FLUSH_EVICT_L1I). */
  readonly mmICache: boolean;
}

/** Names in kernel call order, outermost first, e.g. ['unmap_region', 'tlb_end_vma', 'flush_tlb_range']. */
export type Stack = readonly string[];

/**
 * One atomic step of the unmapper. A kernel path with a backend's hooks is
 * compiled into a straight-line list of these (the mmu_gather logic is
 * deterministic, so only the interleaving with other agents is left to
 * explore).
 */
export type Op =
  | { readonly kind: 'clear_pte'; readonly page: number; readonly stack: Stack }
  | { readonly kind: 'pmd_clear'; readonly table: number; readonly stack: Stack }
  | {
      readonly kind: 'flush';
      readonly primitive: 'flush_tlb_mm' | 'flush_tlb_range' | 'flush_tlb_page';
      /** TLB entries dropped (bit per page). */
      readonly pageMask: number;
      /** Walk-cache entries (and walks in flight) dropped: bit per table region. */
      readonly regionMask: number;
      readonly icache: boolean;
      /** Human-readable extent, e.g. "pages 0-1" or "whole mm". */
      readonly extent: string;
      /** Per target CPU: one full flush, or this many single-page invalidates. */
      readonly fullFlush: boolean;
      readonly perPage: number;
      readonly stack: Stack;
    }
  | { readonly kind: 'free_page'; readonly page: number; readonly stack: Stack }
  | { readonly kind: 'free_table'; readonly table: number; readonly stack: Stack }
  | { readonly kind: 'call_rcu'; readonly tables: number; readonly stack: Stack }
  | { readonly kind: 'return'; readonly stack: Stack };

export type PathId = 'unmap_region' | 'shift_arg_pages' | 'exit_mmap' | 'zap_page_range';
