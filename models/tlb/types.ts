/**
 * The vocabulary of the TLB-shootdown machine: VMAs, hardware traits, flush
 * semantics and the kernel generations a backend belongs to.
 */

/** A VMA: virtual pages [start, end), with its flags. */
export interface Vma {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** VM_EXEC: its PTEs carry the exec bit and CPUs may execute from its pages. */
  readonly exec: boolean;
  /** For a VMA mremap creates: the VMA it is a copy of (-1 for an original VMA). */
  readonly copyOf: number;
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
  /**
   * Whether the refill that walks the Linux page tables runs with
   * interrupts off, as a software walker (powerpc hash's hash_page, sparc64's
   * TSB-miss handler at trap level 1): a walk in flight then holds off IPIs
   * and RCU grace periods like gup_fast does.
   */
  readonly walkerIrqsOff?: boolean;
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

/** Which kernel a backend's mm code is: the 2011 thread's (DOMAIN.md) or today's (MODERN.md). */
export type KernelGeneration = '2011' | 'v6';

/**
 * The Kconfig choices of a backend that change the generic mm code
 * (include/asm-generic/tlb.h header comment, arch/Kconfig).
 */
export interface Kconfig {
  readonly MMU_GATHER_TABLE_FREE: boolean;
  readonly MMU_GATHER_RCU_TABLE_FREE: boolean;
  readonly MMU_GATHER_MERGE_VMAS: boolean;
  readonly MMU_GATHER_NO_GATHER: boolean;
  readonly MMU_GATHER_NO_RANGE: boolean;
  readonly MMU_GATHER_PAGE_SIZE: boolean;
  readonly ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH: boolean;
  /** gup_fast exists (renamed from HAVE_FAST_GUP around v6.10); sparc64 has none. */
  readonly HAVE_GUP_FAST: boolean;
  /** mremap may move a whole PTE table (move_normal_pmd); without it, PTE by PTE. */
  readonly HAVE_MOVE_PMD: boolean;
  /**
   * Empty PTE tables are reclaimed (x86-64 from v6.14); for the table batch
   * it means tlb_remove_table_one hands a lone table to call_rcu instead of
   * IPI-then-free.
   */
  readonly PT_RECLAIM: boolean;
}

export type KconfigSymbol = keyof Kconfig;

/**
 * A backend's Kconfig as its arch Kconfig writes it: every symbol is n
 * unless the arch selects it (`select MMU_GATHER_RCU_TABLE_FREE`).
 */
export function select(...symbols: readonly KconfigSymbol[]): Kconfig {
  const k: Record<KconfigSymbol, boolean> = {
    MMU_GATHER_TABLE_FREE: false,
    MMU_GATHER_RCU_TABLE_FREE: false,
    MMU_GATHER_MERGE_VMAS: false,
    MMU_GATHER_NO_GATHER: false,
    MMU_GATHER_NO_RANGE: false,
    MMU_GATHER_PAGE_SIZE: false,
    ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH: false,
    HAVE_GUP_FAST: false,
    HAVE_MOVE_PMD: false,
    PT_RECLAIM: false,
  };
  for (const s of symbols) k[s] = true;
  return k;
}

/** Names in kernel call order, outermost first, e.g. ['unmap_region', 'tlb_end_vma', 'flush_tlb_range']. */
export type Stack = readonly string[];
