/**
 * A kernel agent: a syscall or kernel thread on one CPU, running one
 * program (a kernel path built against the backend's hooks) step by step.
 * Its record in the state holds the program counter, the locks it holds,
 * its struct mmu_gather, the registers its path declared, the flush it is
 * waiting on, and the pages its syscall revoked (for invariant 6).
 */
import { get, set } from '../../../src/engine/layout.ts';
import type { State } from '../../../src/engine/model.ts';
import type { TlbMachine } from '../machine.ts';
import { Exec } from './exec.ts';
import { BLOCKED, type Instr } from './program.ts';
import { RecordSpec, type Slot } from './slot.ts';

/** What the syscall promises at return (invariant 6): no translation, no writable one, or no writable-dirty one, of the pages it revoked. */
export type Revokes = 'none' | 'mapping' | 'write';

export class KernelAgent {
  readonly rec: RecordSpec;
  readonly x: Exec;
  prog: readonly Instr[] = [];

  // Standard fields; the path declares more (registers) while it is built.
  pc!: Slot;
  readonly irqoff: Slot;
  readonly mmap: Slot | undefined;
  readonly vmaRead: Slot | undefined;
  readonly ptl: Slot | undefined;
  readonly flPrim: Slot | undefined;
  readonly flPages: Slot | undefined;
  readonly flRegions: Slot | undefined;
  readonly flIcache: Slot | undefined;
  readonly revoked: Slot;
  /** rcu_read_lock held (a path that declared the register: pte_offset_map's walkers). */
  rcuRead: Slot | undefined;
  base = 0;
  words = 0;
  /** Whether its flushes count in the cost columns (the flusher's do not: it is not the path under test). */
  countsCost = true;
  /** References the path holds itself (reclaim's isolation reference), beside its gather batch. */
  holdsFrame: ((s: State, f: number) => boolean) | undefined;

  constructor(
    readonly m: TlbMachine,
    /** Index among kernel agents: its IPI inbox bit. */
    readonly index: number,
    readonly cpu: number,
    /** Path id, and the pages [lo, hi] it works on. */
    readonly path: string,
    readonly lo: number,
    readonly hi: number,
    /** Display name, e.g. `cpu1 madvise_dontneed`. */
    readonly name: string,
    readonly revokes: Revokes,
  ) {
    const f = m.feat;
    const g = m.g;
    this.rec = new RecordSpec(name);
    this.irqoff = this.rec.add('irqs_off', 1);
    this.mmap = f.v6 ? this.rec.add('mmap_lock', 2) : undefined;
    this.vmaRead = f.v6 ? this.rec.upTo('vma_read_lock', g.vmas.length) : undefined;
    // One bit per page-table frame's PTL, and one more for the pmd lock.
    this.ptl = f.v6 ? this.rec.add('ptl', g.tableFrames + 1) : undefined;
    this.flPrim = f.ipi ? this.rec.add('flush_prim', 3) : undefined;
    this.flPages = f.ipi ? this.rec.add('flush_pages', g.vpages) : undefined;
    this.flRegions = f.ipi ? this.rec.add('flush_regions', g.regions) : undefined;
    this.flIcache = f.ipi && f.icache ? this.rec.add('flush_icache', 1) : undefined;
    this.revoked = this.rec.add('revoked', g.vpages);
    this.x = new Exec(m, this);
  }

  /** The most outcomes any of its steps has (1: a deterministic program). */
  get maxChoices(): number {
    return Math.max(1, ...this.prog.map((i) => i.choices ?? 1));
  }

  /** Installs the built program; the pc field is sized to it. */
  setProgram(prog: readonly Instr[]): void {
    this.prog = prog;
    this.pc = this.rec.add('pc', Math.max(1, Math.ceil(Math.log2(prog.length + 1))));
  }

  place(base: number): number {
    this.base = base;
    this.words = this.rec.place(base);
    return base + this.words;
  }

  pcOf(s: State): number {
    return get(s, this.pc);
  }
  done(s: State): boolean {
    return get(s, this.pc) >= this.prog.length;
  }

  /** Runs the local instructions from pc 0 (the part of the path before its first step) on an initial state. */
  start(s: State): void {
    const x = this.x;
    x.st = s;
    let pc = 0;
    while (pc < this.prog.length && !this.prog[pc]!.step) pc = this.prog[pc]!.exec(x);
    set(s, this.pc, pc);
  }

  /**
   * One step: the instruction at pc, then every local instruction up to the
   * next step. Not enabled while a flush IPI it sent is unacknowledged (the
   * kernel's smp_call_function_many waits), or when the instruction blocks.
   */
  step(s: State, out: State, choice = 0): boolean {
    const prog = this.prog;
    const pc = get(s, this.pc);
    if (pc >= prog.length) return false;
    // Choice k > 0 exists only at a step with that many outcomes.
    if (choice > 0 && choice >= (prog[pc]!.choices ?? 1)) return false;
    const m = this.m;
    if (m.waitingForAcks(s, this.index)) return false;
    const W = m.words;
    for (let i = 0; i < W; i++) out[i] = s[i]!;
    const x = this.x;
    x.choice = choice;
    const log = m.log;
    let label: string | undefined;
    if (log) {
      x.st = s;
      label = prog[pc]!.short?.(x);
    }
    const logged = log?.length;
    x.st = out;
    let next = prog[pc]!.exec(x);
    if (next === BLOCKED) {
      if (log) log.length = logged!;
      return false;
    }
    if (log && log.length === logged && label !== undefined) log.push(label);
    while (next < prog.length && !prog[next]!.step) next = prog[next]!.exec(x);
    set(out, this.pc, next);
    return true;
  }

  /** The instruction the agent executes next, or undefined once it returned. */
  next(s: State): Instr | undefined {
    return this.prog[get(s, this.pc)];
  }

  /** Binds the Exec to a state for a display-only reading (labels must not write). */
  view(s: State): Exec {
    this.x.st = s;
    return this.x;
  }
}
