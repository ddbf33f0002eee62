/**
 * What an architecture backend is: hardware traits, the semantics of its
 * flush primitives, its Kconfig choices, and the mmu_gather hooks its
 * arch/<arch>/include/asm/tlb.h overrides. A backend overrides only the
 * hooks its architecture changes, like the kernel's headers do.
 *
 * Hooks are builder functions: called once when the model is built, they
 * emit the instructions the kernel agent then executes step by step (see
 * kernel/program.ts). Everything they decide from the gather's fields they
 * decide inside those instructions, at step time. Hooks are called with
 * `this` bound to the backend's complete hook table, so a generic hook
 * calling `this.tlb_flush(k)` reaches the arch override.
 */
import type { At, KernelBuilder } from './kernel/builder.ts';
import type { FlushSemantics, GupRef, Hardware, Kconfig, KernelGeneration, Vma } from './types.ts';

/** The mmu_gather interface of the 2011 thread (DOMAIN §3): the hooks the 2011 paths call. */
export interface MmuGatherHooks {
  tlb_gather_mmu(this: MmuGatherHooks, k: KernelBuilder, fullmm: boolean): void;
  tlb_start_vma(this: MmuGatherHooks, k: KernelBuilder, vma: Vma): void;
  /** After the PTE of `page` was cleared (ptep_get_and_clear). */
  tlb_remove_tlb_entry(this: MmuGatherHooks, k: KernelBuilder, vma: Vma, page: At): void;
  tlb_remove_page(this: MmuGatherHooks, k: KernelBuilder, page: At): void;
  tlb_end_vma(this: MmuGatherHooks, k: KernelBuilder, vma: Vma): void;
  /** After the upper-level entry of `table` was cleared (pmd_clear). */
  pte_free_tlb(this: MmuGatherHooks, k: KernelBuilder, table: number): void;
  /** The arch's TLB invalidation for the gathered work. */
  tlb_flush(this: MmuGatherHooks, k: KernelBuilder): void;
  /** Flush, then free what was batched. */
  tlb_flush_mmu(this: MmuGatherHooks, k: KernelBuilder): void;
  tlb_finish_mmu(this: MmuGatherHooks, k: KernelBuilder): void;
}

export interface BackendBase {
  /** Named after the kernel state it models, e.g. `arm-06824ba8`, `generic-6.18`. */
  readonly id: string;
  /** One line: what it models. */
  readonly summary: string;
  /** Where the behaviour is described: thread line ranges (2011) or MODERN.md sections and kernel files (v6). */
  readonly source: string;
  /** Hardware it runs on by default; every trait can be switched per check. */
  readonly hardware: Hardware;
  /** How its gup_fast takes references (when gup_fast agents are switched on). */
  readonly gupRef: GupRef;
  readonly flush: FlushSemantics;
}

export interface Backend2011 extends BackendBase {
  readonly kernel: '2011';
  readonly hooks: MmuGatherHooks;
}

export interface BackendV6 extends BackendBase {
  readonly kernel: 'v6';
  readonly kconfig: Kconfig;
  /** asm/tlb.h over the generic mmu_gather. */
  readonly hooks: import('./mm/mmu_gather.ts').MmuGatherOps;
  /** asm/tlbflush.h (absent: the plain primitives of DOMAIN §2). */
  readonly tlbflush?: import('./asm-generic/tlbflush.ts').TlbFlushOps;
  /** asm/pgtable.h's side effects of a PTE change (absent: none). */
  readonly pgtable?: import('./asm-generic/pgtable.ts').PgtableOps;
  /** The kernel tree and version the backend was read in (e.g. `torvalds/linux v6.18`). */
  readonly tree?: string;
}

export type Backend = Backend2011 | BackendV6;

export function generationOf(b: Backend): KernelGeneration {
  return b.kernel;
}

/** Per-page range flushes, no i-cache maintenance: the common case. */
export const PLAIN_FLUSH: FlushSemantics = { range: 'per-page', rangeICache: 'never', mmICache: false };

/** Checks a backend for the mistakes a new backend file is likely to make. */
export function defineBackend<B extends Backend>(b: B): B {
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(b.id)) throw new Error(`backend id '${b.id}': use lower-case kernel-style names`);
  return b;
}
