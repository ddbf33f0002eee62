/**
 * struct mmu_gather in the packed state. Every kernel agent has its own,
 * in its record; hooks read and write it at step time through this view,
 * under the kernel's field names (include/asm-generic/tlb.h). Fields of the
 * 2011 gather that today's has dropped (`need_flush`, ARM's `vma`,
 * `fast_mode`) sit beside today's, so one runtime serves both generations.
 *
 * Ranges are in virtual pages, [start, end); `__tlb_reset_range` makes them
 * empty (start = the top of the space, end = 0), as the kernel does with
 * TASK_SIZE and 0.
 */
import { get, set } from '../../../src/engine/layout.ts';
import type { State } from '../../../src/engine/model.ts';
import type { RecordSpec, Slot } from './slot.ts';
import type { Exec } from './exec.ts';

export class Gather {
  private readonly fullmmF: Slot;
  private readonly needFlushAllF: Slot;
  private readonly freedTablesF: Slot;
  private readonly clearedPtesF: Slot;
  private readonly clearedPmdsF: Slot;
  private readonly vmaExecF: Slot;
  private readonly vmaHugeF: Slot;
  private readonly vmaPfnF: Slot;
  private readonly startF: Slot;
  private readonly endF: Slot;
  private readonly batchF: Slot;
  private readonly tableBatchF: Slot;
  private readonly needFlushF: Slot;
  private readonly vmaF: Slot;
  private readonly fastModeF: Slot;
  private readonly execF: Slot;

  /**
   * @param vpages virtual pages (the range end never exceeds it)
   * @param frames data plus table frames (the page batch holds either)
   * @param tableFrames table frames (the table batch)
   * @param vmas VMAs (ARM's tlb->vma remembers one)
   */
  constructor(
    private readonly x: Exec,
    rec: RecordSpec,
    private readonly vpages: number,
    frames: number,
    tableFrames: number,
    vmas: number,
  ) {
    this.fullmmF = rec.add('fullmm', 1);
    this.needFlushAllF = rec.add('need_flush_all', 1);
    this.freedTablesF = rec.add('freed_tables', 1);
    this.clearedPtesF = rec.add('cleared_ptes', 1);
    this.clearedPmdsF = rec.add('cleared_pmds', 1);
    this.vmaExecF = rec.add('vma_exec', 1);
    this.vmaHugeF = rec.add('vma_huge', 1);
    this.vmaPfnF = rec.add('vma_pfn', 1);
    this.startF = rec.upTo('start', vpages);
    this.endF = rec.upTo('end', vpages);
    this.batchF = rec.add('batch', frames);
    this.tableBatchF = rec.add('table_batch', tableFrames);
    this.needFlushF = rec.add('need_flush', 1);
    this.vmaF = rec.upTo('vma', vmas);
    this.fastModeF = rec.add('fast_mode', 1);
    this.execF = rec.add('exec', 1);
  }

  /** The initial value of start: an empty range. */
  resetValue(): number {
    return this.vpages;
  }

  private flag(f: Slot): boolean {
    return get(this.x.st, f) === 1;
  }
  private setFlag(f: Slot, v: boolean): void {
    set(this.x.st, f, v ? 1 : 0);
  }

  get fullmm(): boolean {
    return this.flag(this.fullmmF);
  }
  set fullmm(v: boolean) {
    this.setFlag(this.fullmmF, v);
  }
  get need_flush_all(): boolean {
    return this.flag(this.needFlushAllF);
  }
  set need_flush_all(v: boolean) {
    this.setFlag(this.needFlushAllF, v);
  }
  get freed_tables(): boolean {
    return this.flag(this.freedTablesF);
  }
  set freed_tables(v: boolean) {
    this.setFlag(this.freedTablesF, v);
  }
  get cleared_ptes(): boolean {
    return this.flag(this.clearedPtesF);
  }
  set cleared_ptes(v: boolean) {
    this.setFlag(this.clearedPtesF, v);
  }
  get cleared_pmds(): boolean {
    return this.flag(this.clearedPmdsF);
  }
  set cleared_pmds(v: boolean) {
    this.setFlag(this.clearedPmdsF, v);
  }
  get vma_exec(): boolean {
    return this.flag(this.vmaExecF);
  }
  set vma_exec(v: boolean) {
    this.setFlag(this.vmaExecF, v);
  }
  get vma_huge(): boolean {
    return this.flag(this.vmaHugeF);
  }
  set vma_huge(v: boolean) {
    this.setFlag(this.vmaHugeF, v);
  }
  get vma_pfn(): boolean {
    return this.flag(this.vmaPfnF);
  }
  set vma_pfn(v: boolean) {
    this.setFlag(this.vmaPfnF, v);
  }
  get start(): number {
    return get(this.x.st, this.startF);
  }
  set start(v: number) {
    set(this.x.st, this.startF, v);
  }
  get end(): number {
    return get(this.x.st, this.endF);
  }
  set end(v: number) {
    set(this.x.st, this.endF, v);
  }
  /** Frames queued for freeing after the flush (bit per frame: data frames, then table frames). */
  get batch(): number {
    return get(this.x.st, this.batchF);
  }
  set batch(v: number) {
    set(this.x.st, this.batchF, v);
  }
  /** Page tables queued in struct mmu_table_batch (2011: for call_rcu_sched). */
  get table_batch(): number {
    return get(this.x.st, this.tableBatchF);
  }
  set table_batch(v: number) {
    set(this.x.st, this.tableBatchF, v);
  }
  /** 2011: something was unmapped or freed since the last flush. */
  get need_flush(): boolean {
    return this.flag(this.needFlushF);
  }
  set need_flush(v: boolean) {
    this.setFlag(this.needFlushF, v);
  }
  /** 2011 ARM: index of the VMA of the last tlb_start_vma, or -1. */
  get vma(): number {
    return get(this.x.st, this.vmaF) - 1;
  }
  set vma(v: number) {
    set(this.x.st, this.vmaF, v + 1);
  }
  /** 2011 asm-generic: one CPU online, so nothing is batched (tlb->nr == ~0). */
  get fast_mode(): boolean {
    return this.flag(this.fastModeF);
  }
  set fast_mode(v: boolean) {
    this.setFlag(this.fastModeF, v);
  }
  /** 2011 HAVE_MMU_GATHER_ITLB: a cleared PTE had its exec bit. */
  get exec(): boolean {
    return this.flag(this.execF);
  }
  set exec(v: boolean) {
    this.setFlag(this.execF, v);
  }

  /** The page batch in state `s` (for the frame-lifetime check, which reads other agents' gathers). */
  batchOf(s: State): number {
    return get(s, this.batchF);
  }

  /** An empty range in an initial state. */
  resetFor(s: State): void {
    set(s, this.startF, this.vpages);
    set(s, this.endF, 0);
  }

  // ---- helpers the kernel spells as macros ----

  /** __tlb_adjust_range: extend [start, end) to cover [s, e). */
  adjustRange(s: number, e: number): void {
    if (s < this.start) this.start = s;
    if (e > this.end) this.end = e;
  }

  get hasRange(): boolean {
    return this.end > this.start;
  }

  /** The range part of __tlb_reset_range. */
  resetRange(): void {
    this.start = this.vpages;
    this.end = 0;
  }

  /** Number of entries in the page batch. */
  get batchCount(): number {
    let v = this.batch;
    let n = 0;
    while (v !== 0) {
      v &= v - 1;
      n++;
    }
    return n;
  }
}
