/**
 * The packed state of the machine: what the kernel, the hardware and the
 * user threads share (PTEs, pmd entries, frames, VMAs, mm counters), one
 * record per CPU (TLB, walk cache, walk in flight, i-cache, IPI inbox,
 * gup_fast) and one record per kernel agent (its program counter, locks
 * held, struct mmu_gather, registers, the flush it waits on).
 *
 * Every field is a Slot placed after the kernel programs are built (they
 * declare their own registers). A CPU's record fills whole words, so CPUs
 * that play the same role can be sorted as integers for symmetry.
 */
import { get, set } from '../../src/engine/layout.ts';
import type { State } from '../../src/engine/model.ts';
import type { Geometry } from './geometry.ts';
import { RecordSpec, type Slot } from './kernel/slot.ts';

/** Frame states. A data frame is LIVE while anyone holds a reference; a table frame while it is a page table of the mm. */
export const LIVE = 0;
export const FREE = 2;
export const REUSED = 3;
export const FRAME_NAMES = ['live', 'live', 'free', 'reused'] as const;

/** VMA lifecycle (munmap: detached from the tree, unlinked from the rmap, freed); NONE: not created yet (mremap's copy). */
export const VMA_ATTACHED = 0;
export const VMA_DETACHED = 1;
export const VMA_UNLINKED = 2;
export const VMA_FREED = 3;
export const VMA_NONE = 4;
export const VMA_NAMES = ['attached', 'detached', 'unlinked', 'freed', 'not created'] as const;

/** mmap_lock modes an agent holds. */
export const MMAP_NONE = 0;
export const MMAP_READ = 1;
export const MMAP_WRITE = 2;

/**
 * What a CPU runs (MODERN §6), when contexts are modelled: a thread of the
 * mm (its CR3 and ASID loaded), a kernel thread lazily on the mm (is_lazy:
 * CR3 still the mm's, so the hardware may walk its tables, but nothing
 * touches user addresses), or another mm (init_mm or another process: the
 * mm's translations stay in the TLB under their PCID/ASID, unusable).
 */
export const CTX_USER = 0;
export const CTX_LAZY = 1;
export const CTX_OTHER = 2;
export const CTX_NAMES = ['user thread of the mm', 'kernel thread, lazy on the mm', 'another mm'] as const;

/** PTE bits. */
export const PTE_PRESENT = 1;
export const PTE_WRITE = 2;
export const PTE_DIRTY = 4;

/** Which optional parts of the state a configuration needs. */
export interface Features {
  /** Writes, dirty bits and write permission matter (MADV_FREE, reclaim, mprotect). */
  readonly writes: boolean;
  readonly walkCache: boolean;
  readonly icache: boolean;
  readonly ipi: boolean;
  readonly rcu: boolean;
  readonly gup: boolean;
  /** Today's mm: VMA lifecycle, mmap_lock, PTLs, tlb_flush_pending. */
  readonly v6: boolean;
  /** Reclaim runs: folio flags and mm->tlb_flush_batched. */
  readonly reclaim: boolean;
  /** Upper bound of mm->tlb_flush_batched's generations. */
  readonly maxBatchGen: number;
  /** CPU contexts are modelled (some CPUs switch, or the mm is exiting): mm_cpumask, lazy TLB, tlb_gen catch-up. */
  readonly ctx: boolean;
  /** mm_users is 0 (exit_mmap): every CPU is off the mm for good, lazily at most, and none can come back. */
  readonly deadMm: boolean;
  /** Initiators of flush IPIs (kernel agents). */
  readonly initiators: number;
  readonly agents: number;
}

/** Saturating cost counters: the 2011 machine's, and today's, which count real pages (a table spans 512). */
export const COST_MAX = 127;
export const COST_MAX_V6 = 8191;

export class TlbState {
  readonly g: Geometry;
  readonly feat: Features;
  /** K data frames, TF table frames, V virtual pages, R regions, S PTE slots, N CPUs. */
  readonly K: number;
  readonly TF: number;
  readonly V: number;
  readonly R: number;
  readonly S: number;
  readonly N: number;

  readonly mmRec = new RecordSpec('mm');
  readonly cpuRec: RecordSpec[] = [];

  // mm
  readonly pteP: Slot;
  readonly pteW: Slot | undefined;
  readonly pteD: Slot | undefined;
  readonly pmdF: Slot;
  readonly frameF: Slot[] = [];
  readonly genF: Slot | undefined;
  readonly folioDirtyF: Slot | undefined;
  readonly lazyfreeF: Slot | undefined;
  readonly vmaF: Slot[] = [];
  readonly pendingF: Slot | undefined;
  readonly batchedPendingF: Slot | undefined;
  readonly batchedFlushedF: Slot | undefined;
  readonly rcuF: Slot | undefined;
  readonly costIpisF: Slot;
  readonly costFullF: Slot;
  readonly costPerPageF: Slot;
  readonly costLeafF: Slot;
  readonly costMax: number;

  // per CPU
  readonly tlbF: Slot[] = [];
  readonly tlbDF: (Slot | undefined)[] = [];
  readonly wcF: (Slot | undefined)[] = [];
  readonly walkF: Slot[] = [];
  readonly walkWF: (Slot | undefined)[] = [];
  readonly icF: (Slot | undefined)[] = [];
  readonly inboxF: (Slot | undefined)[] = [];
  readonly rcuWaitF: (Slot | undefined)[] = [];
  readonly gupStageF: (Slot | undefined)[] = [];
  readonly gupPageF: (Slot | undefined)[] = [];
  readonly ctxF: (Slot | undefined)[] = [];
  readonly cpumaskF: (Slot | undefined)[] = [];
  /** x86: the CPU's ctxs[asid].tlb_gen is behind mm->context.tlb_gen (a flush skipped it). */
  readonly behindF: (Slot | undefined)[] = [];

  /** Word ranges: the mm record, each CPU's record, each agent's record. */
  cpuBase: number[] = [];
  cpuWords = 0;
  words = 0;
  private readonly frameOfPage: Int32Array;

  constructor(g: Geometry, feat: Features) {
    this.g = g;
    this.feat = feat;
    this.K = g.pages;
    this.TF = g.tableFrames;
    this.V = g.vpages;
    this.R = g.regions;
    this.S = g.slots;
    this.N = g.cpus;
    this.frameOfPage = Int32Array.from({ length: g.vpages }, (_, v) => v % this.K);
    const mm = this.mmRec;
    this.pteP = mm.add('pte', g.slots);
    this.pteW = feat.writes ? mm.add('pte_write', g.slots) : undefined;
    this.pteD = feat.writes ? mm.add('pte_dirty', g.slots) : undefined;
    this.pmdF = mm.add('pmd', g.regions);
    for (let f = 0; f < this.K + this.TF; f++) this.frameF.push(mm.add(`frame${f}`, 2));
    this.genF = feat.icache ? mm.add('gen', this.K) : undefined;
    this.folioDirtyF = feat.reclaim ? mm.add('folio_dirty', this.K) : undefined;
    this.lazyfreeF = feat.writes ? mm.add('lazyfree', this.K) : undefined;
    if (feat.v6) for (let v = 0; v < g.vmas.length; v++) this.vmaF.push(mm.add(`vma${v}`, 4));
    this.pendingF = feat.v6 ? mm.upTo('tlb_flush_pending', feat.agents) : undefined;
    this.batchedPendingF = feat.reclaim ? mm.upTo('batched_pending', feat.maxBatchGen) : undefined;
    this.batchedFlushedF = feat.reclaim ? mm.upTo('batched_flushed', feat.maxBatchGen) : undefined;
    this.rcuF = feat.rcu ? mm.add('rcu_pending', this.TF) : undefined;
    this.costMax = feat.v6 ? COST_MAX_V6 : COST_MAX;
    this.costIpisF = mm.upTo('cost_ipis', this.costMax);
    this.costFullF = mm.upTo('cost_full', this.costMax);
    this.costPerPageF = mm.upTo('cost_per_page', this.costMax);
    this.costLeafF = mm.upTo('cost_leaf', this.costMax);

    for (let c = 0; c < this.N; c++) {
      const r = new RecordSpec(`cpu${c}`);
      this.cpuRec.push(r);
      this.tlbF.push(r.add('tlb', this.V));
      this.tlbDF.push(feat.writes ? r.add('tlb_dirty', this.V) : undefined);
      this.wcF.push(feat.walkCache ? r.add('walk_cache', this.R) : undefined);
      this.walkF.push(r.upTo('walk', this.V));
      this.walkWF.push(feat.writes ? r.add('walk_write', 1) : undefined);
      this.icF.push(feat.icache ? r.add('icache', 2 * this.K) : undefined);
      this.inboxF.push(feat.ipi && feat.initiators > 0 ? r.add('ipi_inbox', feat.initiators) : undefined);
      this.rcuWaitF.push(feat.rcu ? r.add('rcu_wait', 1) : undefined);
      this.gupStageF.push(feat.gup ? r.add('gup_stage', 3) : undefined);
      this.gupPageF.push(feat.gup ? r.upTo('gup_page', this.V - 1) : undefined);
      this.ctxF.push(feat.ctx ? r.upTo('ctx', CTX_OTHER) : undefined);
      this.cpumaskF.push(feat.ctx ? r.add('mm_cpumask', 1) : undefined);
      this.behindF.push(feat.ctx ? r.add('tlb_gen_behind', 1) : undefined);
    }
  }

  /** Places the mm and CPU records; returns the first free word (agent records follow). */
  protected placeShared(): number {
    let w = this.mmRec.place(0);
    // Every CPU record gets the same number of words, so records compare as word runs.
    const widths = this.cpuRec.map((r) => r.place(0));
    this.cpuWords = Math.max(1, ...widths);
    for (let c = 0; c < this.N; c++) {
      this.cpuBase.push(w);
      this.cpuRec[c]!.place(w);
      w += this.cpuWords;
    }
    return w;
  }

  // ---------------------------------------------------------------- PTEs, pmds

  ptePresent(s: State, slot: number): boolean {
    return ((get(s, this.pteP) >>> slot) & 1) === 1;
  }
  /** PTE_PRESENT | PTE_WRITE | PTE_DIRTY of a slot. */
  pteBits(s: State, slot: number): number {
    let b = (get(s, this.pteP) >>> slot) & 1;
    if (this.pteW) b |= ((get(s, this.pteW) >>> slot) & 1) << 1;
    if (this.pteD) b |= ((get(s, this.pteD) >>> slot) & 1) << 2;
    return b;
  }
  setPteBits(s: State, slot: number, bits: number): void {
    const m = 1 << slot;
    set(s, this.pteP, (get(s, this.pteP) & ~m) | (bits & PTE_PRESENT ? m : 0));
    if (this.pteW) set(s, this.pteW, (get(s, this.pteW) & ~m) | (bits & PTE_WRITE ? m : 0));
    if (this.pteD) set(s, this.pteD, (get(s, this.pteD) & ~m) | (bits & PTE_DIRTY ? m : 0));
  }
  pmdPresent(s: State, r: number): boolean {
    return ((get(s, this.pmdF) >>> r) & 1) === 1;
  }
  setPmd(s: State, r: number, present: boolean): void {
    const v = get(s, this.pmdF);
    set(s, this.pmdF, present ? v | (1 << r) : v & ~(1 << r));
  }

  // ---------------------------------------------------------------- frames

  frameState(s: State, f: number): number {
    return get(s, this.frameF[f]!);
  }
  setFrameState(s: State, f: number, st: number): void {
    set(s, this.frameF[f]!, st);
  }
  /** Data frame f holds new code (written by its new owner). */
  frameGen(s: State, f: number): number {
    return this.genF ? (get(s, this.genF) >>> f) & 1 : 0;
  }
  /** The frame number of table frame t. */
  tableFrame(t: number): number {
    return this.K + t;
  }
  /** The data frame a virtual page maps. */
  frameOf(v: number): number {
    // A table lookup: this is on every access's path, and % is a division.
    return this.frameOfPage[v] ?? v % this.K;
  }
  maskBit(s: State, f: Slot | undefined, i: number): boolean {
    return f !== undefined && ((get(s, f) >>> i) & 1) === 1;
  }
  setMaskBit(s: State, f: Slot | undefined, i: number, on: boolean): void {
    if (!f) return;
    const v = get(s, f);
    set(s, f, on ? v | (1 << i) : v & ~(1 << i));
  }

  // ---------------------------------------------------------------- CPUs

  tlbMask(s: State, c: number): number {
    return get(s, this.tlbF[c]!);
  }
  tlbHas(s: State, c: number, v: number): boolean {
    return ((get(s, this.tlbF[c]!) >>> v) & 1) === 1;
  }
  /** The TLB entry of v lets writes through without a walk (it cached a writable, dirty PTE). */
  tlbWritable(s: State, c: number, v: number): boolean {
    return this.maskBit(s, this.tlbDF[c], v);
  }
  wcHas(s: State, c: number, r: number): boolean {
    return this.maskBit(s, this.wcF[c], r);
  }
  /** Virtual page of the walk in flight on CPU c, or -1. */
  walkPage(s: State, c: number): number {
    return get(s, this.walkF[c]!) - 1;
  }
  /** i-cache line of data frame f on CPU c: 0 none, else 1 + the generation it holds. */
  icLine(s: State, c: number, f: number): number {
    const ic = this.icF[c];
    return ic ? (get(s, ic) >>> (2 * f)) & 3 : 0;
  }
  gupStage(s: State, c: number): number {
    const f = this.gupStageF[c];
    return f ? get(s, f) : 0;
  }
  gupPage(s: State, c: number): number {
    const f = this.gupPageF[c];
    return f ? get(s, f) : 0;
  }
  /** What CPU c runs (CTX_USER without modelled contexts). */
  cpuCtx(s: State, c: number): number {
    const f = this.ctxF[c];
    return f ? get(s, f) : CTX_USER;
  }
  /** Whether CPU c is in mm_cpumask (always, without modelled contexts). */
  inCpumask(s: State, c: number): boolean {
    const f = this.cpumaskF[c];
    return f ? get(s, f) === 1 : true;
  }
  tlbGenBehind(s: State, c: number): boolean {
    const f = this.behindF[c];
    return f ? get(s, f) === 1 : false;
  }
  /**
   * Whether CPU c can use what its TLB and walk cache hold for the mm
   * without a flush first: it runs the mm, or it would return to it without
   * one (its tlb_gen is current). I1', I3', I6 and I9 count only these.
   */
  usable(s: State, c: number): boolean {
    return this.cpuCtx(s, c) === CTX_USER || (!this.feat.deadMm && !this.tlbGenBehind(s, c));
  }
  inbox(s: State, c: number): number {
    const f = this.inboxF[c];
    return f ? get(s, f) : 0;
  }

  // ---------------------------------------------------------------- mm

  /** VMA lifecycle (VMA_ATTACHED ... VMA_NONE). */
  vmaState(s: State, v: number): number {
    const f = this.vmaF[v];
    return f ? get(s, f) & 7 : VMA_ATTACHED;
  }
  setVmaState(s: State, v: number, st: number): void {
    const f = this.vmaF[v];
    if (f) set(s, f, (get(s, f) & 8) | st);
  }
  /** vma_start_write: the VMA is write-locked until the mmap write lock is dropped or downgraded. */
  vmaWriteLocked(s: State, v: number): boolean {
    const f = this.vmaF[v];
    return f !== undefined && (get(s, f) & 8) !== 0;
  }
  setVmaWriteLocked(s: State, v: number, on: boolean): void {
    const f = this.vmaF[v];
    if (f) set(s, f, (get(s, f) & 7) | (on ? 8 : 0));
  }
  flushPending(s: State): number {
    return this.pendingF ? get(s, this.pendingF) : 0;
  }

  addCost(s: State, ipis: number, full: number, perPage: number, leaf = 0): void {
    if (leaf) set(s, this.costLeafF, Math.min(this.costMax, get(s, this.costLeafF) + leaf));
    if (ipis) set(s, this.costIpisF, Math.min(this.costMax, get(s, this.costIpisF) + ipis));
    if (full) set(s, this.costFullF, Math.min(this.costMax, get(s, this.costFullF) + full));
    if (perPage) set(s, this.costPerPageF, Math.min(this.costMax, get(s, this.costPerPageF) + perPage));
  }
}
