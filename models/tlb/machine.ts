/**
 * The machine: the shared state (state.ts), the kernel agents running their
 * programs (kernel/), the hardware (hw/: TLBs and walk caches, walkers,
 * IPIs), the user threads, gup_fast, the allocator and RCU, assembled into
 * one transition function. Each action slot belongs to one agent; the
 * modules named in `step` say why each step has the granularity it has.
 */
import { get, set } from '../../src/engine/layout.ts';
import type { ActionInfo, State } from '../../src/engine/model.ts';
import type { TlbConfig } from './config.ts';
import { buildGeometry, PTRS_PER_PTE } from './geometry.ts';
import { KernelAgent } from './kernel/agent.ts';
import { KernelBuilder } from './kernel/builder.ts';
import type { Exec } from './kernel/exec.ts';
import type { Slot } from './kernel/slot.ts';
import { callRcu, rcuFreeStep } from './kernel/rcu.ts';
import { ipiStep } from './hw/ipi.ts';
import { sendFlush, sendInvalidate, waitingForAcks, type Invalidation } from './hw/tlb.ts';
import { SWITCHES, switchStep } from './kernel/sched.ts';
import { execStep, readStep, writeStep } from './hw/user.ts';
import { walkPte, walkStart } from './hw/walker.ts';
import { GUP_IDLE, GUP_IRQ_ON, GUP_READ_PMD, gupHoldsRef, gupStart, gupStep } from './mm/gup.ts';
import { execNewStep, reuseStep, writeCodeStep } from './mm/page_alloc.ts';
import { findPath } from './paths.ts';
import { CTX_LAZY, CTX_OTHER, CTX_USER, FREE, LIVE, REUSED, TlbState, type Features } from './state.ts';
import { Components } from './por.ts';

/** Action kinds; every action slot has one. */
export enum Kind {
  Kernel,
  Ipi,
  WalkStart,
  WalkWrite,
  WalkPte,
  Read,
  Write,
  Exec,
  GupStart,
  GupStep,
  Reuse,
  WriteCode,
  ExecNew,
  RcuFree,
  Switch,
}

/** The first guard shared by a run of actions (see TlbMachine.candidates). */
const enum Gate {
  Always,
  IpiPending,
  WalkIdle,
  Walking,
  GupIdle,
  GupBusy,
  FrameGone,
  FrameFree,
  FrameReused,
}

export interface Roles {
  readonly accessor: boolean;
  readonly gup: boolean;
  readonly walks: boolean;
  /** Index of the kernel agent running on this CPU, or -1. */
  readonly kernel: number;
  readonly flusher: boolean;
  /** The scheduler may switch this CPU's thread out and back (--switch). */
  readonly switches: boolean;
}

function featuresOf(config: TlbConfig): Features {
  const v6 = config.backend.kernel === 'v6';
  const paths = config.agents.map((a) => findPath(a.path)!);
  const reclaim = paths.some((p) => p.reclaim);
  return {
    writes: paths.some((p) => p.writes),
    walkCache: config.hw.walkCache,
    icache: config.hw.icache === 'incoherent',
    // IPIs: the flushes of IPI hardware, and tlb_remove_table_sync_one on any hardware with RCU table freeing.
    ipi: config.hw.tlb === 'ipi' || (v6 && config.backend.kernel === 'v6' && config.backend.kconfig.MMU_GATHER_RCU_TABLE_FREE),
    rcu: false, // decided after the programs are built
    gup: config.gup > 0,
    v6,
    ctx: config.switching > 0 || (v6 && config.mmUsers === 0),
    deadMm: v6 && config.mmUsers === 0,
    reclaim,
    maxBatchGen: reclaim ? 1 + config.agents.filter((a) => findPath(a.path)!.reclaim).reduce((n, a) => n + a.hi - a.lo + 1, 0) : 1,
    initiators: config.agents.length + (config.flusher ? 1 : 0),
    agents: config.agents.length + (config.flusher ? 1 : 0),
  };
}

export class TlbMachine extends TlbState {
  readonly config: TlbConfig;
  readonly kagents: KernelAgent[] = [];
  readonly roles: readonly Roles[];
  readonly actions: ActionInfo[] = [];
  readonly agents: string[] = [];
  /** Per action: kind, CPU (or -1), argument (page, frame, agent; or -1). */
  readonly kind: Uint8Array;
  readonly cpuOf: Int8Array;
  readonly argOf: Int8Array;
  /** Per action: which outcome of a kernel choice step it takes (0 for every other action). */
  readonly choiceOf: Int8Array;
  readonly flusherCpu: number;
  /** switch_mm_irqs_off's tlb_gen check is on (x86, with modelled contexts). */
  readonly catchUp: boolean;
  /** Which regions' pmds map a huge folio (khugepaged's paths declare it). */
  readonly pmdHugeF: Slot | undefined;
  /** gup_fast re-reads the pmd and PTE after its speculative reference. */
  readonly gupRecheck: boolean;
  readonly usesRcu: boolean;
  /** The components partial-order reduction reasons about (por.ts). */
  readonly comp: Components;
  /**
   * When set, kernel steps append what they did (tests read the effect
   * sequence of a path run alone). Never set during a search.
   */
  log: string[] | undefined;
  /** Values outside the code that decided a kernel branch while the programs were built (KernelBuilder.branch). */
  readonly branchesUsed: Record<string, string> = {};
  /** Mechanisms (mm/mechanisms.ts) the programs consulted while they were built. */
  readonly mechanismsUsed = new Set<string>();
  /** Data frames mapped by more than one PTE slot over time (mremap's destination): slot lists per frame. */
  private readonly slotsOfFrame: number[][];

  constructor(config: TlbConfig) {
    const g = buildGeometry({
      pages: config.pages,
      vmas: config.vmas,
      tables: config.tables,
      execMask: config.execMask,
      mremap: config.mremap,
      mmUsers: config.mmUsers,
      cpus: config.cpus,
    });
    super(g, featuresOf(config));
    this.config = config;
    const nAgents = config.agents.length + (config.flusher ? 1 : 0);
    this.comp = new Components(g.slots, g.pages + g.tableFrames, g.pages, config.cpus, nAgents, g.tableFrames, g.vmas.length);
    this.flusherCpu = config.flusher ? config.cpus - 1 : -1;

    // Kernel agents and their programs.
    config.agents.forEach((a, i) => {
      const p = findPath(a.path)!;
      this.kagents.push(new KernelAgent(this, i, a.cpu, a.path, a.lo, a.hi, `cpu${a.cpu} ${a.path}`, p.revokes));
    });
    if (config.flusher) {
      const i = this.kagents.length;
      const f = new KernelAgent(this, i, this.flusherCpu, 'flusher', 0, g.pages - 1, `cpu${this.flusherCpu} flusher`, 'none');
      f.countsCost = false;
      this.kagents.push(f);
    }
    for (const a of this.kagents) {
      const k = new KernelBuilder(this, a);
      findPath(a.path)!.build(k, a);
      a.setProgram(k.finish());
    }
    // Mechanisms the hardware-side code consults (the scheduler's catch-up, gup_fast's recheck).
    const mech = (id: string, used: boolean): boolean => {
      if (used) this.mechanismsUsed.add(id);
      return !config.without.has(id);
    };
    this.catchUp = mech('tlb_gen-catch-up', this.feat.ctx && this.lazyTlb === 'x86');
    this.gupRecheck = mech('gup_fast-recheck', this.feat.gup && this.feat.v6 && config.gupRef === 'speculative');
    this.pmdHugeF = this.mmRec.find('pmd_huge');
    for (const a of this.kagents) a.rcuRead = a.rec.find('rcu_read');
    this.usesRcu = this.kagents.some((a) => a.prog.some((ins) => ins.kind === 'rcu'));
    if (this.usesRcu) this.declareRcu();

    let w = this.placeShared();
    for (const a of this.kagents) w = a.place(w);
    this.words = w;
    this.slotsOfFrame = Array.from({ length: this.K }, (_, f) => Array.from({ length: this.S }, (_, s) => s).filter((s) => s % this.K === f));

    this.roles = this.computeRoles();
    const acts: { kind: Kind; cpu: number; arg: number; agent: string; name: string; choice?: number }[] = [];
    this.buildActions(acts);
    this.kind = Uint8Array.from(acts.map((a) => a.kind));
    this.cpuOf = Int8Array.from(acts.map((a) => a.cpu));
    this.argOf = Int8Array.from(acts.map((a) => a.arg));
    this.choiceOf = Int8Array.from(acts.map((a) => a.choice ?? 0));
    for (const a of acts) {
      let i = this.agents.indexOf(a.agent);
      if (i < 0) i = this.agents.push(a.agent) - 1;
      this.actions.push({ agent: i, name: a.name });
    }
    this.gates = this.buildGates();
  }

  // ---------------------------------------------------------------- enabling mask

  /**
   * Runs of consecutive actions [from, to) behind one gate: a cheap
   * condition that every action of the run needs (its step's first guard),
   * so `candidates` skips a closed run whole instead of calling step for
   * each of its actions.
   */
  private readonly gates: { gate: Gate; cpu: number; from: number; to: number }[];

  private gateOf(a: number): Gate {
    switch (this.kind[a] as Kind) {
      case Kind.Ipi:
        return Gate.IpiPending;
      case Kind.WalkStart:
      case Kind.WalkWrite:
        return Gate.WalkIdle;
      case Kind.WalkPte:
        return Gate.Walking;
      case Kind.Read:
      case Kind.Write:
        return Gate.FrameGone;
      case Kind.Exec:
        return this.feat.icache ? Gate.Always : Gate.FrameGone;
      case Kind.GupStart:
        return Gate.GupIdle;
      case Kind.GupStep:
        return Gate.GupBusy;
      case Kind.Reuse:
        return Gate.FrameFree;
      case Kind.WriteCode:
      case Kind.ExecNew:
        return Gate.FrameReused;
      default:
        return Gate.Always;
    }
  }

  private buildGates(): { gate: Gate; cpu: number; from: number; to: number }[] {
    const out: { gate: Gate; cpu: number; from: number; to: number }[] = [];
    for (let a = 0; a < this.kind.length; a++) {
      const gate = this.gateOf(a);
      const cpu = this.cpuOf[a]!;
      const last = out[out.length - 1];
      if (last && last.gate === gate && last.cpu === cpu && last.to === a) last.to = a + 1;
      else out.push({ gate, cpu, from: a, to: a + 1 });
    }
    return out;
  }

  private gateOpen(s: State, gate: Gate, c: number): boolean {
    switch (gate) {
      case Gate.Always:
        return true;
      case Gate.IpiPending: {
        const f = this.inboxF[c];
        return f !== undefined && get(s, f) !== 0;
      }
      case Gate.WalkIdle:
        return get(s, this.walkF[c]!) === 0;
      case Gate.Walking:
        return get(s, this.walkF[c]!) !== 0;
      case Gate.GupIdle:
        return this.gupStage(s, c) === GUP_IDLE;
      case Gate.GupBusy:
        return this.gupStage(s, c) !== GUP_IDLE;
      case Gate.FrameGone:
        for (let f = 0; f < this.K; f++) {
          const st = this.frameState(s, f);
          if (st === FREE || st === REUSED) return true;
        }
        return false;
      case Gate.FrameFree:
        for (let f = 0; f < this.K + this.TF; f++) if (this.frameState(s, f) === FREE) return true;
        return false;
      case Gate.FrameReused:
        for (let f = 0; f < this.K; f++) if (this.frameState(s, f) === REUSED) return true;
        return false;
    }
  }

  /** Model.candidates: every action of each open gate's run, in action order (a superset of the enabled ones). */
  candidates(s: State, out: Int32Array): number {
    let n = 0;
    const gates = this.gates;
    for (let i = 0; i < gates.length; i++) {
      const g = gates[i]!;
      if (!this.gateOpen(s, g.gate, g.cpu)) continue;
      for (let a = g.from; a < g.to; a++) out[n++] = a;
    }
    return n;
  }

  private declareRcu(): void {
    (this as { rcuF: TlbState['rcuF'] }).rcuF = this.mmRec.add('rcu_pending', this.TF);
    for (let c = 0; c < this.N; c++) this.rcuWaitF[c] = this.cpuRec[c]!.add('rcu_wait', 1);
  }

  private computeRoles(): Roles[] {
    const c0 = this.config;
    const kernelOn = new Map(this.kagents.filter((a) => a.path !== 'flusher').map((a) => [a.cpu, a.index]));
    const users: number[] = [];
    for (let c = 0; c < c0.cpus; c++) if (!kernelOn.has(c) && c !== this.flusherCpu) users.push(c);
    const accessorCpus = new Set(users.slice(0, c0.accessors));
    const gupCpus = new Set(users.slice(users.length - c0.gup));
    const switchCpus = new Set(users.filter((c) => accessorCpus.has(c) && !gupCpus.has(c)).slice(-c0.switching || users.length));
    if (c0.switching === 0) switchCpus.clear();
    const out: Roles[] = [];
    for (let c = 0; c < c0.cpus; c++) {
      const kernel = kernelOn.get(c) ?? -1;
      const accessor = accessorCpus.has(c);
      const onKernel = kernel >= 0;
      const speculative = c0.walker === 'all' || (c0.walker === 'unmapper' && onKernel) || (c0.walker === 'others' && !onKernel);
      out.push({ kernel, flusher: c === this.flusherCpu, accessor, gup: gupCpus.has(c), walks: accessor || speculative, switches: switchCpus.has(c) });
    }
    return out;
  }

  private buildActions(acts: { kind: Kind; cpu: number; arg: number; agent: string; name: string; choice?: number }[]): void {
    const { V, N } = this;
    for (const a of this.kagents) {
      acts.push({ kind: Kind.Kernel, cpu: a.cpu, arg: a.index, agent: a.name, name: `${a.name} step` });
      for (let k = 1; k < a.maxChoices; k++) acts.push({ kind: Kind.Kernel, cpu: a.cpu, arg: a.index, agent: a.name, name: `${a.name} step (outcome ${k})`, choice: k });
    }
    const writes = this.feat.writes;
    for (let c = 0; c < N; c++) {
      const r = this.roles[c]!;
      // Any CPU but an initiator's own receives its IPIs; with broadcast there are none.
      if (this.feat.ipi) {
        for (const a of this.kagents) {
          if (a.cpu === c) continue;
          const from = a.path === 'flusher' ? 'flusher' : a.name;
          acts.push({ kind: Kind.Ipi, cpu: c, arg: a.index, agent: `cpu${c} irq`, name: `cpu${c} handles the flush IPI of ${from}` });
        }
      }
      if (r.walks) {
        for (let v = 0; v < V; v++) acts.push({ kind: Kind.WalkStart, cpu: c, arg: v, agent: `cpu${c} walker`, name: `cpu${c} walker starts a walk of page ${v}` });
        if (writes && r.accessor) {
          for (let v = 0; v < V; v++) acts.push({ kind: Kind.WalkWrite, cpu: c, arg: v, agent: `cpu${c} walker`, name: `cpu${c} walker starts a write walk of page ${v}` });
        }
        acts.push({ kind: Kind.WalkPte, cpu: c, arg: -1, agent: `cpu${c} walker`, name: `cpu${c} walker reads the PTE` });
      }
      if (r.accessor) {
        for (let v = 0; v < V; v++) {
          acts.push({ kind: Kind.Read, cpu: c, arg: v, agent: `cpu${c} user`, name: `cpu${c} reads page ${v}` });
          if (writes) acts.push({ kind: Kind.Write, cpu: c, arg: v, agent: `cpu${c} user`, name: `cpu${c} writes page ${v}` });
          if (this.execPage(v)) acts.push({ kind: Kind.Exec, cpu: c, arg: v, agent: `cpu${c} user`, name: `cpu${c} executes page ${v}` });
        }
      }
      if (r.switches) {
        SWITCHES.forEach((sw, i) => acts.push({ kind: Kind.Switch, cpu: c, arg: i, agent: `cpu${c} sched`, name: `cpu${c} ${sw.text}` }));
      }
      if (r.gup) {
        for (let v = 0; v < V; v++) acts.push({ kind: Kind.GupStart, cpu: c, arg: v, agent: `cpu${c} gup_fast`, name: `cpu${c} gup_fast(page ${v})` });
        acts.push({ kind: Kind.GupStep, cpu: c, arg: -1, agent: `cpu${c} gup_fast`, name: `cpu${c} gup_fast step` });
      }
    }
    if (this.config.allocator) {
      for (let f = 0; f < this.K + this.TF; f++) acts.push({ kind: Kind.Reuse, cpu: -1, arg: f, agent: 'allocator', name: `allocator reuses ${this.frameName(f)}` });
      if (this.feat.icache) {
        for (let f = 0; f < this.K; f++) {
          acts.push({ kind: Kind.WriteCode, cpu: -1, arg: f, agent: 'allocator', name: `allocator writes new code into ${this.frameName(f)}` });
          for (let c = 0; c < N; c++) {
            acts.push({ kind: Kind.ExecNew, cpu: c, arg: f, agent: 'allocator', name: `cpu${c} executes the new code in ${this.frameName(f)}` });
          }
        }
      }
    }
    if (this.usesRcu) acts.push({ kind: Kind.RcuFree, cpu: -1, arg: -1, agent: 'rcu', name: 'RCU callback frees a page table' });
  }

  /** Whether virtual page v lies in a VM_EXEC VMA. */
  execPage(v: number): boolean {
    return this.g.vmas.some((x) => x.exec && v >= x.start && v < x.end);
  }

  frameName(f: number): string {
    return f < this.K ? `frame ${f} (page ${f})` : `frame ${f} (table ${f - this.K})`;
  }

  // ---------------------------------------------------------------- shared operations

  /** out := s (a loop beats TypedArray.set for states of a few words). */
  copy(s: State, out: State): void {
    for (let i = 0; i < this.words; i++) out[i] = s[i]!;
  }

  setIcLine(out: State, c: number, f: number, v: number): void {
    const ic = this.icF[c]!;
    set(out, ic, (get(out, ic) & ~(3 << (2 * f))) | (v << (2 * f)));
  }

  /** Whether CPU c has interrupts disabled (so it cannot take an IPI). */
  irqsOff(s: State, c: number): boolean {
    const st = this.gupStage(s, c);
    if (st >= GUP_READ_PMD && st <= GUP_IRQ_ON) return true;
    // A software refill walking the Linux tables runs in a trap with interrupts off.
    if (this.config.hw.walkerIrqsOff && get(s, this.walkF[c]!) !== 0) return true;
    for (const a of this.kagents) if (a.cpu === c && get(s, a.irqoff) === 1) return true;
    return false;
  }

  /** A CPU left an interrupts-off section: the grace period no longer waits for it. */
  leaveIrqOff(out: State, c: number): void {
    const f = this.rcuWaitF[c];
    if (f) set(out, f, 0);
  }

  /** Whether CPU c is in an RCU read-side section: interrupts off, or a kernel path between rcu_read_lock and unlock. */
  inRcuReader(s: State, c: number): boolean {
    if (this.irqsOff(s, c)) return true;
    for (const a of this.kagents) if (a.cpu === c && a.rcuRead && get(s, a.rcuRead) === 1) return true;
    return false;
  }

  /** rcu_read_unlock on CPU c: the grace period stops waiting for it once it is in no read-side section. */
  leaveRcuReader(out: State, c: number): void {
    if (!this.inRcuReader(out, c)) this.leaveIrqOff(out, c);
  }

  /** Whether region r's pmd is a huge mapping. */
  pmdHuge(s: State, r: number): boolean {
    return this.pmdHugeF !== undefined && ((get(s, this.pmdHugeF) >>> r) & 1) === 1;
  }

  /** Whether region r's pmd points at its PTE table (present, not huge). */
  pmdTable(s: State, r: number): boolean {
    return this.pmdPresent(s, r) && !this.pmdHuge(s, r);
  }

  /** Whether the CPU is inside a kernel path that has not returned. */
  kernelBusy(s: State, c: number): boolean {
    for (const a of this.kagents) if (a.cpu === c && !a.done(s)) return true;
    return false;
  }

  waitingForAcks(s: State, i: number): boolean {
    return waitingForAcks(this, s, i);
  }

  sendFlush(x: Exec, prim: number, pages: number, regions: number, icache: boolean, full: boolean, perPage: number): void {
    sendFlush(this, x, prim, pages, regions, icache, full, perPage);
  }

  sendInvalidate(x: Exec, inv: Invalidation): void {
    sendInvalidate(this, x, inv);
  }

  /** How CPUs that do not run the mm take flushes (the backend's asm/tlbflush.h). */
  get lazyTlb(): 'x86' | 'none' {
    const b = this.config.backend;
    return b.kernel === 'v6' && b.tlbflush ? b.tlbflush.lazyTlb : 'none';
  }

  /** x86 flush_tlb_func on a lazy CPU: switch_mm_irqs_off(init_mm); its tlb_gen stays behind. */
  switchToInitMm(out: State, c: number): void {
    set(out, this.ctxF[c]!, CTX_OTHER);
    set(out, this.behindF[c]!, 1);
    set(out, this.walkF[c]!, 0);
    const ww = this.walkWF[c];
    if (ww) set(out, ww, 0);
  }

  /** Real pages modelled page v stands for (--span; by default its page table's 512 pages shared out). */
  spanOf(v: number): number {
    if (this.config.span > 0) return this.config.span;
    const r = this.g.regionOf[v]!;
    return Math.ceil(PTRS_PER_PTE / (this.g.regionEnd[r]! - this.g.regionStart[r]!));
  }

  /** Real pages of the modelled pages in `mask`. */
  realPagesOfMask(mask: number): number {
    let n = 0;
    for (let v = 0; v < this.V; v++) if ((mask >>> v) & 1) n += this.spanOf(v);
    return n;
  }

  /** Real pages of modelled pages [s, e). */
  realPages(s: number, e: number): number {
    let n = 0;
    for (let v = Math.max(0, s); v < Math.min(this.V, e); v++) n += this.spanOf(v);
    return n;
  }

  /** Mask of modelled pages [s, e). */
  pagesMask(s: number, e: number): number {
    let b = 0;
    for (let v = Math.max(0, s); v < Math.min(this.V, e); v++) b |= 1 << v;
    return b;
  }

  /** Mask of the regions (page tables) that the pages in `pages` lie in. */
  regionsOfPages(pages: number): number {
    let b = 0;
    for (let v = 0; v < this.V; v++) if ((pages >>> v) & 1) b |= 1 << this.g.regionOf[v]!;
    return b;
  }

  /** Mask of every page in the regions of `regions`. */
  pagesOfRegions(regions: number): number {
    let b = 0;
    for (let v = 0; v < this.V; v++) if ((regions >>> this.g.regionOf[v]!) & 1) b |= 1 << v;
    return b;
  }

  get allPages(): number {
    return 2 ** this.V - 1;
  }
  get allRegions(): number {
    return 2 ** this.R - 1;
  }

  /** Where a v6 invalidation goes, for its label. */
  reachNote(x: Exec, inv: Invalidation): string {
    if (inv.delivery === 'broadcast') return ' (broadcast to every CPU)';
    const s = x.st;
    const to: number[] = [];
    const skipped: number[] = [];
    for (let c = 0; c < this.N; c++) {
      if (c === x.cpu || inv.reach === 'local') continue;
      if (!this.inCpumask(s, c)) continue;
      if (inv.reach === 'mm' || this.cpuCtx(s, c) === CTX_USER) to.push(c);
      else skipped.push(c);
    }
    const ipi = to.length ? ` (IPI to ${to.map((c) => `cpu${c}`).join(', ')})` : inv.reach === 'local' ? ' (this CPU only)' : ' (no other CPU)';
    const lazy = skipped.length ? `; skips ${skipped.map((c) => `cpu${c} (${this.cpuCtx(s, c) === CTX_LAZY ? 'lazy' : 'another mm'})`).join(', ')}` : '';
    return ipi + lazy;
  }

  callRcu(out: State, tables: number): void {
    callRcu(this, out, tables);
  }

  /** The delivery suffix of a flush label. */
  deliveryNote(): string {
    return this.config.hw.tlb === 'ipi' ? ' (IPI)' : ' (broadcast)';
  }

  /**
   * Whether anything still holds a reference on data frame f: a PTE mapping
   * it, a gather batch, a gup_fast reference, or a path's own reference
   * (reclaim's isolation).
   */
  frameHeld(s: State, f: number): boolean {
    const P = get(s, this.pteP);
    for (const slot of this.slotsOfFrame[f]!) if ((P >>> slot) & 1) return true;
    for (const a of this.kagents) {
      if ((a.x.tlb.batchOf(s) >>> f) & 1) return true;
      if (a.holdsFrame && a.holdsFrame(s, f)) return true;
    }
    if (this.feat.gup) {
      for (let c = 0; c < this.N; c++) if (gupHoldsRef(this.gupStage(s, c)) && this.frameOf(this.gupPage(s, c)) === f) return true;
    }
    return false;
  }

  /** A holder dropped its reference on data frame f (already removed from `out`): free it if it was the last. */
  releaseFrame(out: State, f: number): void {
    if (this.frameState(out, f) === LIVE && !this.frameHeld(out, f)) this.setFrameState(out, f, FREE);
  }

  // ---------------------------------------------------------------- steps

  step(s: State, a: number, out: State): boolean {
    const c = this.cpuOf[a]!;
    const arg = this.argOf[a]!;
    switch (this.kind[a] as Kind) {
      case Kind.Kernel:
        return this.kagents[arg]!.step(s, out, this.choiceOf[a]!);
      case Kind.Ipi:
        return ipiStep(this, s, c, arg, out);
      case Kind.WalkStart:
        return walkStart(this, s, c, arg, false, out);
      case Kind.WalkWrite:
        return walkStart(this, s, c, arg, true, out);
      case Kind.WalkPte:
        return walkPte(this, s, c, out);
      case Kind.Read:
        return readStep(this, s, c, arg, out);
      case Kind.Write:
        return writeStep(this, s, c, arg, out);
      case Kind.Exec:
        return execStep(this, s, c, arg, out);
      case Kind.GupStart:
        return gupStart(this, s, c, arg, out);
      case Kind.GupStep:
        return gupStep(this, s, c, out);
      case Kind.Reuse:
        return reuseStep(this, s, arg, out);
      case Kind.WriteCode:
        return writeCodeStep(this, s, arg, out);
      case Kind.ExecNew:
        return execNewStep(this, s, c, arg, out);
      case Kind.RcuFree:
        return rcuFreeStep(this, s, out);
      case Kind.Switch:
        return switchStep(this, s, c, arg, out);
    }
    return false;
  }

  isFinal(s: State): boolean {
    for (const a of this.kagents) if (!a.done(s)) return false;
    if (this.rcuF && get(s, this.rcuF) !== 0) return false;
    return true;
  }

  // ---------------------------------------------------------------- initial

  initial(): State {
    const s = new Uint32Array(this.words);
    const { K, g } = this;
    // exec's shift_arg_pages runs after move_page_tables moved every PTE away
    // (and flushed them): the tables it frees are already empty.
    const emptyTables = this.kagents.some((a) => a.path === 'shift_arg_pages');
    for (let slot = 0; slot < K; slot++) this.setPteBits(s, slot, emptyTables ? 0 : this.initialPte(slot));
    for (let r = 0; r < g.regions; r++) {
      // mremap's destination: its own (empty) tables are present; a moved table arrives later.
      const present = r < g.tables || g.mremap === 'ptes';
      this.setPmd(s, r, present);
    }
    // The destination VMAs of mremap do not exist yet.
    for (const v of g.vmas) if (v.copyOf >= 0) this.setVmaState(s, v.index, 4);
    // With an incoherent i-cache, every CPU that ran the mm's threads may hold
    // lines of its exec pages from before the paths started.
    if (this.feat.icache && !emptyTables) {
      for (let c = 0; c < this.N; c++) {
        const r = this.roles[c]!;
        if (r.kernel < 0 && !r.accessor && !r.gup) continue;
        for (let p = 0; p < K; p++) if (this.execPage(p)) this.setIcLine(s, c, p, 1);
      }
    }
    // Every CPU starts on the mm, in its mm_cpumask, with its tlb_gen current; when the mm is exiting
    // (exit_mm: enter_lazy_tlb) every CPU is at most lazy on it.
    for (let c = 0; c < this.N; c++) {
      const f = this.cpumaskF[c];
      if (f) set(s, f, 1);
      if (this.feat.deadMm) set(s, this.ctxF[c]!, CTX_LAZY);
    }
    for (const a of this.kagents) {
      a.x.tlb.resetFor(s);
      if (a.path !== 'flusher' && this.config.unmapperIrqsOff) set(s, a.irqoff, 1);
      a.start(s);
    }
    return s;
  }

  /**
   * The PTE bits of an original page at the start: present; where writes
   * matter, writable, and dirty for even pages (written since the last
   * writeback) and clean for odd ones, so both kinds of folio meet reclaim.
   */
  private initialPte(slot: number): number {
    return this.feat.writes ? (slot % 2 === 0 ? 7 : 3) : 1;
  }

  // ---------------------------------------------------------------- symmetry

  /**
   * CPUs with the same roles are interchangeable: every per-CPU datum lives in
   * the CPU's own record, so sorting the records within each role class gives a
   * canonical representative. CPUs running kernel agents are left in place.
   */
  symmetryClasses(): number[][] {
    const classes = new Map<string, number[]>();
    this.roles.forEach((r, c) => {
      if (r.kernel >= 0 || r.flusher) return;
      const key = `${r.accessor}/${r.gup}/${r.walks}/${r.switches}`;
      const list = classes.get(key) ?? [];
      list.push(c);
      classes.set(key, list);
    });
    return [...classes.values()].filter((l) => l.length > 1);
  }
}
