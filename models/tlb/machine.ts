/**
 * The abstract machine of DOMAIN §2 as a packed state and one transition
 * function. Every step below is one thing hardware or a CPU does atomically;
 * the comment on each says why that granularity, and which race a coarser
 * step would hide.
 *
 * State (bits):
 *   upc            unmapper program counter into the compiled path (Op[])
 *   fpc            flusher: 0 not started, 1 IPIs sent and waiting, 2 done
 *   pte            bit p: PTE of page p present (page p always maps frame p)
 *   pmd            bit t: upper-level entry of region t present (points at table frame pages+t)
 *   frame[f]       state (LIVE / ZOMBIE / FREE / REUSED) + contents generation bit
 *   rcuPending     bit t: table t waits for an RCU grace period before being freed
 *   cpu[c]         one word per CPU (so that symmetric CPUs sort as integers):
 *                    tlb (bit p), walk cache (bit t), walk in flight (0 idle, 1+p),
 *                    i-cache line per data frame (0 none, 1+generation),
 *                    IPI inbox (bit 0 from the unmapper, bit 1 from the flusher),
 *                    rcuWait (in an irq-off section the current grace period waits for),
 *                    gup_fast stage and page.
 */
import { Layout, bitsFor, get, set, type Field } from '../../src/engine/layout.ts';
import type { ActionInfo, Json, State } from '../../src/engine/model.ts';
import { geometryOf, userCpus, type TlbConfig } from './config.ts';
import type { Geometry } from './gather.ts';
import { compilePath } from './paths.ts';
import type { Op } from './types.ts';

/** Frame states. A data frame is LIVE while the mm maps it; a table frame while it is the mm's page table. */
export const LIVE = 0;
/** A data frame the mm has released but a gup_fast reference still pins. */
export const ZOMBIE = 1;
export const FREE = 2;
export const REUSED = 3;
const FRAME_NAMES = ['live', 'pinned by gup', 'free', 'reused'] as const;

/** Action kinds; every action slot has one. */
export enum Kind {
  Unmap,
  Flusher,
  Ipi,
  WalkStart,
  WalkPte,
  Read,
  Exec,
  GupStart,
  GupStep,
  Reuse,
  WriteCode,
  ExecNew,
  RcuFree,
}

/** gup_fast stages (per CPU). */
export const GUP_IDLE = 0;
export const GUP_READ_PMD = 1; // irqs off; next: read the upper-level entry
export const GUP_READ_PTE = 2; // holds the table pointer; next: read the PTE
export const GUP_GET_REF = 3; // saw a present PTE; next: take the reference
export const GUP_RECHECK = 4; // (speculative) holds a reference; next: re-read the PTE
export const GUP_IRQ_ON = 5; // holds a reference; next: local_irq_enable
export const GUP_PUT = 6; // irqs on, holds a reference; next: put_page
const GUP_NAMES = ['idle', 'irqs off, reading pmd', 'reading PTE', 'taking reference', 're-checking PTE', 'holding page, irqs off', 'holding page, irqs on'];

export interface Roles {
  readonly accessor: boolean;
  readonly gup: boolean;
  readonly walks: boolean;
  readonly flusher: boolean;
  readonly unmapper: boolean;
}

export class TlbMachine {
  readonly config: TlbConfig;
  readonly geometry: Geometry;
  readonly ops: readonly Op[];
  readonly roles: readonly Roles[];
  readonly layout = new Layout();
  readonly words: number;
  readonly actions: ActionInfo[] = [];
  readonly agents: string[] = [];
  /** Per action: kind, CPU (or -1), argument (page, frame, initiator; or -1). */
  readonly kind: Uint8Array;
  readonly cpuOf: Int8Array;
  readonly argOf: Int8Array;
  /** Cumulative cost of the unmapper's first `pc` ops: index pc. */
  readonly cost: { ipis: number[]; fullFlushes: number[]; perPage: number[] };

  // Global fields.
  readonly upc: Field;
  readonly fpc: Field | undefined;
  readonly pteF: Field;
  readonly pmdF: Field;
  readonly frameF: Field[];
  readonly rcuF: Field | undefined;
  readonly cpuF: Field[];

  // Per-CPU word layout.
  readonly K: number;
  readonly T: number;
  readonly N: number;
  readonly WC_SH: number;
  readonly WALK_SH: number;
  readonly WALK_MASK: number;
  readonly IC_SH: number;
  readonly INBOX_SH: number;
  readonly RCUW_SH: number;
  readonly GST_SH: number;
  readonly GPG_SH: number;
  readonly GPG_MASK: number;
  readonly cpuBits: number;

  /** The flush the flusher agent sends (flush_tlb_mm). */
  readonly flusherOp: Extract<Op, { kind: 'flush' }>;
  readonly flusherCpu: number;
  readonly execPage: readonly boolean[];
  readonly usesRcu: boolean;
  readonly icache: boolean;

  constructor(config: TlbConfig) {
    this.config = config;
    const g = (this.geometry = geometryOf(config));
    this.ops = compilePath(config.path, config.backend, g);
    const K = (this.K = config.pages);
    const T = (this.T = config.tables);
    const N = (this.N = config.cpus);
    this.icache = config.hw.icache === 'incoherent';
    this.usesRcu = this.ops.some((o) => o.kind === 'call_rcu');
    this.flusherCpu = config.flusher ? N - 1 : -1;
    this.execPage = Array.from({ length: K }, (_, p) => g.vmas.find((v) => p >= v.start && p < v.end)!.exec);

    // Roles.
    const users = userCpus(config);
    const accessorCpus = new Set(users.slice(0, config.accessors));
    const gupCpus = new Set(users.slice(users.length - config.gup));
    const roles: Roles[] = [];
    for (let c = 0; c < N; c++) {
      const unmapper = c === 0;
      const flusher = c === this.flusherCpu;
      const accessor = accessorCpus.has(c);
      const speculative =
        config.walker === 'all' || (config.walker === 'unmapper' && unmapper) || (config.walker === 'others' && !unmapper);
      roles.push({ unmapper, flusher, accessor, gup: gupCpus.has(c), walks: accessor || speculative });
    }
    this.roles = roles;

    // Per-CPU word.
    let sh = K;
    this.WC_SH = sh;
    if (config.hw.walkCache) sh += T;
    this.WALK_SH = sh;
    const wb = bitsFor(K);
    this.WALK_MASK = 2 ** wb - 1;
    sh += wb;
    this.IC_SH = sh;
    if (this.icache) sh += 2 * K;
    this.INBOX_SH = sh;
    sh += 2;
    this.RCUW_SH = sh;
    if (this.usesRcu) sh += 1;
    this.GST_SH = sh;
    const anyGup = config.gup > 0;
    if (anyGup) sh += 3;
    this.GPG_SH = sh;
    const pb = bitsFor(Math.max(1, K - 1));
    this.GPG_MASK = 2 ** pb - 1;
    if (anyGup) sh += pb;
    this.cpuBits = sh;
    if (sh > 31) throw new Error(`per-CPU state needs ${sh} bits (at most 31)`);

    const L = this.layout;
    this.upc = L.field('upc', bitsFor(this.ops.length));
    this.fpc = config.flusher ? L.field('fpc', 2) : undefined;
    this.pteF = L.field('pte', K);
    this.pmdF = L.field('pmd', T);
    this.frameF = L.array('frame', K + T, 3);
    this.rcuF = this.usesRcu ? L.field('rcuPending', T) : undefined;
    this.cpuF = L.array('cpu', N, sh);
    this.words = L.words;

    this.flusherOp = {
      kind: 'flush',
      primitive: 'flush_tlb_mm',
      pageMask: 2 ** K - 1,
      regionMask: 2 ** T - 1,
      icache: config.backend.flush.mmICache,
      extent: 'whole mm',
      fullFlush: true,
      perPage: 0,
      stack: ['flush_tlb_mm'],
    };

    this.cost = this.computeCost();
    const acts: { kind: Kind; cpu: number; arg: number; agent: string; name: string }[] = [];
    this.buildActions(acts);
    this.kind = Uint8Array.from(acts.map((a) => a.kind));
    this.cpuOf = Int8Array.from(acts.map((a) => a.cpu));
    this.argOf = Int8Array.from(acts.map((a) => a.arg));
    for (const a of acts) {
      let i = this.agents.indexOf(a.agent);
      if (i < 0) i = this.agents.push(a.agent) - 1;
      this.actions.push({ agent: i, name: a.name });
    }
  }

  private computeCost(): TlbMachine['cost'] {
    const N = this.config.cpus;
    const ipis = [0];
    const full = [0];
    const per = [0];
    for (const op of this.ops) {
      let i = ipis[ipis.length - 1]!;
      let f = full[full.length - 1]!;
      let q = per[per.length - 1]!;
      if (op.kind === 'flush') {
        // The cpumask is every CPU of the mm; an IPI goes to each one but the initiator.
        if (this.config.hw.tlb === 'ipi') i += N - 1;
        if (op.fullFlush) f += N;
        else q += op.perPage * N;
      }
      ipis.push(i);
      full.push(f);
      per.push(q);
    }
    return { ipis, fullFlushes: full, perPage: per };
  }

  private buildActions(acts: { kind: Kind; cpu: number; arg: number; agent: string; name: string }[]): void {
    const { K, N } = this;
    const c0 = 'cpu0 unmapper';
    acts.push({ kind: Kind.Unmap, cpu: 0, arg: -1, agent: c0, name: `${this.config.path} step` });
    if (this.config.flusher) {
      acts.push({ kind: Kind.Flusher, cpu: this.flusherCpu, arg: -1, agent: `cpu${this.flusherCpu} flusher`, name: 'flusher step' });
    }
    for (let c = 0; c < N; c++) {
      const r = this.roles[c]!;
      // Any CPU but an initiator's own receives IPIs; with broadcast there are none.
      if (this.config.hw.tlb === 'ipi') {
        if (c !== 0) acts.push({ kind: Kind.Ipi, cpu: c, arg: 0, agent: `cpu${c} irq`, name: `cpu${c} handles the unmapper's flush IPI` });
        if (this.config.flusher && c !== this.flusherCpu) {
          acts.push({ kind: Kind.Ipi, cpu: c, arg: 1, agent: `cpu${c} irq`, name: `cpu${c} handles the flusher's flush IPI` });
        }
      }
      if (r.walks) {
        for (let p = 0; p < K; p++) acts.push({ kind: Kind.WalkStart, cpu: c, arg: p, agent: `cpu${c} walker`, name: `cpu${c} walker starts a walk of page ${p}` });
        acts.push({ kind: Kind.WalkPte, cpu: c, arg: -1, agent: `cpu${c} walker`, name: `cpu${c} walker reads the PTE` });
      }
      if (r.accessor) {
        for (let p = 0; p < K; p++) {
          acts.push({ kind: Kind.Read, cpu: c, arg: p, agent: `cpu${c} user`, name: `cpu${c} reads page ${p}` });
          if (this.execPage[p]) acts.push({ kind: Kind.Exec, cpu: c, arg: p, agent: `cpu${c} user`, name: `cpu${c} executes page ${p}` });
        }
      }
      if (r.gup) {
        for (let p = 0; p < K; p++) acts.push({ kind: Kind.GupStart, cpu: c, arg: p, agent: `cpu${c} gup_fast`, name: `cpu${c} gup_fast(page ${p})` });
        acts.push({ kind: Kind.GupStep, cpu: c, arg: -1, agent: `cpu${c} gup_fast`, name: `cpu${c} gup_fast step` });
      }
    }
    if (this.config.allocator) {
      for (let f = 0; f < K + this.T; f++) acts.push({ kind: Kind.Reuse, cpu: -1, arg: f, agent: 'allocator', name: `allocator reuses ${this.frameName(f)}` });
      if (this.icache) {
        for (let f = 0; f < K; f++) {
          acts.push({ kind: Kind.WriteCode, cpu: -1, arg: f, agent: 'allocator', name: `allocator writes new code into ${this.frameName(f)}` });
          for (let c = 0; c < N; c++) {
            acts.push({ kind: Kind.ExecNew, cpu: c, arg: f, agent: 'allocator', name: `cpu${c} executes the new code in ${this.frameName(f)}` });
          }
        }
      }
    }
    if (this.usesRcu) acts.push({ kind: Kind.RcuFree, cpu: -1, arg: -1, agent: 'rcu', name: 'RCU callback frees a page table' });
  }

  frameName(f: number): string {
    return f < this.K ? `frame ${f} (page ${f})` : `frame ${f} (table ${f - this.K})`;
  }

  // ---------------------------------------------------------------- reading

  frameState(s: State, f: number): number {
    return get(s, this.frameF[f]!) & 3;
  }
  frameGen(s: State, f: number): number {
    return get(s, this.frameF[f]!) >>> 2;
  }
  cpuWord(s: State, c: number): number {
    return get(s, this.cpuF[c]!);
  }
  tlbHas(s: State, c: number, p: number): boolean {
    return ((this.cpuWord(s, c) >>> p) & 1) === 1;
  }
  /** Pages in CPU c's TLB, as a bit mask. */
  tlbMask(s: State, c: number): number {
    return this.cpuWord(s, c) & (2 ** this.K - 1);
  }
  wcHas(s: State, c: number, t: number): boolean {
    return this.config.hw.walkCache && ((this.cpuWord(s, c) >>> (this.WC_SH + t)) & 1) === 1;
  }
  /** Page of the walk in flight on CPU c, or -1. */
  walkPage(s: State, c: number): number {
    return ((this.cpuWord(s, c) >>> this.WALK_SH) & this.WALK_MASK) - 1;
  }
  /** i-cache line of data frame f on CPU c: 0 none, else 1 + the generation it holds. */
  icLine(s: State, c: number, f: number): number {
    return this.icache ? (this.cpuWord(s, c) >>> (this.IC_SH + 2 * f)) & 3 : 0;
  }
  gupStage(s: State, c: number): number {
    return this.config.gup > 0 ? (this.cpuWord(s, c) >>> this.GST_SH) & 7 : 0;
  }
  gupPage(s: State, c: number): number {
    return (this.cpuWord(s, c) >>> this.GPG_SH) & this.GPG_MASK;
  }
  pc(s: State): number {
    return get(s, this.upc);
  }
  /** The op the unmapper executes next (undefined once it returned). */
  nextOp(s: State): Op | undefined {
    return this.ops[this.pc(s)];
  }
  ptePresent(s: State, p: number): boolean {
    return ((get(s, this.pteF) >>> p) & 1) === 1;
  }
  pmdPresent(s: State, t: number): boolean {
    return ((get(s, this.pmdF) >>> t) & 1) === 1;
  }

  /** Whether CPU c has interrupts disabled (so it cannot take an IPI). */
  irqsOff(s: State, c: number): boolean {
    if (c === 0 && this.config.unmapperIrqsOff && this.pc(s) < this.ops.length) return true;
    if (c === this.flusherCpu && this.config.flusherIrqsOff && get(s, this.fpc!) === 1) return true;
    const st = this.gupStage(s, c);
    return st >= GUP_READ_PMD && st <= GUP_IRQ_ON;
  }

  private inboxPending(s: State, bit: number): boolean {
    const m = 1 << (this.INBOX_SH + bit);
    for (let c = 0; c < this.N; c++) if ((this.cpuWord(s, c) & m) !== 0) return true;
    return false;
  }

  /** Whether some CPU other than `except` holds a gup reference on data frame f. */
  private gupHolds(s: State, f: number, except: number): boolean {
    if (this.config.gup === 0) return false;
    for (let c = 0; c < this.N; c++) {
      if (c === except) continue;
      const st = this.gupStage(s, c);
      if ((st === GUP_RECHECK || st === GUP_IRQ_ON || st === GUP_PUT) && this.gupPage(s, c) === f) return true;
    }
    return false;
  }

  isFinal(s: State): boolean {
    if (this.pc(s) < this.ops.length) return false;
    if (this.fpc && get(s, this.fpc) !== 2) return false;
    if (this.rcuF && get(s, this.rcuF) !== 0) return false;
    return true;
  }

  // ---------------------------------------------------------------- initial

  initial(): State {
    const s = new Uint32Array(this.words);
    const { K, T } = this;
    // exec's shift_arg_pages runs after move_page_tables moved every PTE away
    // (and flushed them): the tables it frees are already empty.
    set(s, this.pteF, this.config.path === 'shift_arg_pages' ? 0 : 2 ** K - 1);
    set(s, this.pmdF, 2 ** T - 1);
    // With an incoherent i-cache, every CPU that ran the mm's threads may hold
    // lines of its exec pages from before the path started.
    if (this.icache && this.config.path !== 'shift_arg_pages') {
      for (let c = 0; c < this.N; c++) {
        const r = this.roles[c]!;
        if (!r.unmapper && !r.accessor && !r.gup) continue;
        let w = get(s, this.cpuF[c]!);
        for (let p = 0; p < K; p++) if (this.execPage[p]) w |= 1 << (this.IC_SH + 2 * p);
        set(s, this.cpuF[c]!, w);
      }
    }
    return s;
  }

  // ---------------------------------------------------------------- steps

  /** out := s (a loop beats TypedArray.set for states of a few words). */
  private copy(s: State, out: State): void {
    for (let i = 0; i < this.words; i++) out[i] = s[i]!;
  }

  /** Applies a flush's effect on one CPU: TLB entries in range, walk-cache entries and walks in flight of overlapping regions, and the i-cache if the flush evicts it. */
  private flushCpu(out: State, c: number, op: Extract<Op, { kind: 'flush' }>): void {
    const f = this.cpuF[c]!;
    let w = get(out, f);
    w &= ~op.pageMask;
    if (this.config.hw.walkCache) w &= ~(op.regionMask << this.WC_SH);
    // A hardware walk that read the upper level holds that entry; which
    // flushes end it is a hardware question (--walk-flush): by default the
    // invalidate's barrier completes or abandons every walk in flight.
    const wp = ((w >>> this.WALK_SH) & this.WALK_MASK) - 1;
    if (wp >= 0) {
      const mode = this.config.walkFlush;
      const ends =
        mode === 'barrier' ||
        (mode === 'region' && ((op.regionMask >>> this.geometry.regionOf[wp]!) & 1) === 1) ||
        (mode === 'address' && ((op.pageMask >>> wp) & 1) === 1);
      if (ends) w &= ~(this.WALK_MASK << this.WALK_SH);
    }
    if (this.icache && op.icache) w &= ~((2 ** (2 * this.K) - 1) << this.IC_SH);
    set(out, f, w);
  }

  /**
   * Sends a flush: with broadcast it takes effect on every CPU in this one
   * step; with IPIs the initiator flushes itself now and every other CPU
   * gets an inbox bit it clears when it handles the interrupt.
   */
  private sendFlush(out: State, from: number, bit: number, op: Extract<Op, { kind: 'flush' }>): void {
    if (this.config.hw.tlb === 'broadcast') {
      for (let c = 0; c < this.N; c++) this.flushCpu(out, c, op);
      return;
    }
    this.flushCpu(out, from, op);
    const m = 1 << (this.INBOX_SH + bit);
    for (let c = 0; c < this.N; c++) if (c !== from) set(out, this.cpuF[c]!, get(out, this.cpuF[c]!) | m);
  }

  /** A CPU left its interrupts-off section: the grace period no longer waits for it. */
  private leaveIrqOff(out: State, c: number): void {
    if (this.usesRcu) set(out, this.cpuF[c]!, get(out, this.cpuF[c]!) & ~(1 << this.RCUW_SH));
  }

  /** The mm (or a gup holder) drops its reference on data frame f. */
  private releaseData(out: State, f: number, holderElsewhere: boolean, mmRef: boolean): void {
    const fs = get(out, this.frameF[f]!);
    const st = fs & 3;
    if (mmRef) {
      if (st === LIVE) set(out, this.frameF[f]!, (fs & ~3) | (holderElsewhere ? ZOMBIE : FREE));
    } else if (st === ZOMBIE && !holderElsewhere) {
      set(out, this.frameF[f]!, (fs & ~3) | FREE);
    }
  }

  step(s: State, a: number, out: State): boolean {
    const c = this.cpuOf[a]!;
    const arg = this.argOf[a]!;
    switch (this.kind[a] as Kind) {
      case Kind.Unmap:
        return this.unmapStep(s, out);
      case Kind.Flusher:
        return this.flusherStep(s, out);
      case Kind.Ipi: {
        // Delivery is one step per target: it runs only while the target has
        // interrupts enabled, which is what makes gup_fast's irq-off walk safe.
        const m = 1 << (this.INBOX_SH + arg);
        if ((this.cpuWord(s, c) & m) === 0 || this.irqsOff(s, c)) return false;
        this.copy(s, out);
        const op = arg === 0 ? this.ops[this.pc(s) - 1] : this.flusherOp;
        if (!op || op.kind !== 'flush') throw new Error('IPI pending without a flush');
        this.flushCpu(out, c, op);
        set(out, this.cpuF[c]!, get(out, this.cpuF[c]!) & ~m);
        return true;
      }
      case Kind.WalkStart: {
        // First level of a hardware walk: read the pmd (or hit the walk
        // cache). Separate from the PTE read because a flush or a free can
        // land between the two levels: that window is the race of L405-L410.
        const w = this.cpuWord(s, c);
        if (((w >>> this.WALK_SH) & this.WALK_MASK) !== 0 || ((w >>> arg) & 1) === 1) return false;
        const t = this.geometry.regionOf[arg]!;
        let nw = (w & ~(this.WALK_MASK << this.WALK_SH)) | ((arg + 1) << this.WALK_SH);
        if (!this.wcHas(s, c, t)) {
          if (!this.pmdPresent(s, t)) return false; // nothing to walk: no state change
          if (this.config.hw.walkCache) nw |= 1 << (this.WC_SH + t);
        }
        this.copy(s, out);
        set(out, this.cpuF[c]!, nw);
        return true;
      }
      case Kind.WalkPte: {
        // Second level: read the PTE from the table frame the walk holds and fill the TLB.
        const p = this.walkPage(s, c);
        if (p < 0) return false;
        this.copy(s, out);
        let w = this.cpuWord(s, c) & ~(this.WALK_MASK << this.WALK_SH);
        const table = this.K + this.geometry.regionOf[p]!;
        if (this.frameState(s, table) === LIVE && this.ptePresent(s, p)) w |= 1 << p;
        set(out, this.cpuF[c]!, w);
        return true;
      }
      case Kind.Read: {
        // A read through a TLB hit changes nothing; it is a step only when it
        // reaches a frame that is no longer the mm's (to report it).
        if (this.gupStage(s, c) !== GUP_IDLE || !this.tlbHas(s, c, arg)) return false;
        const st = this.frameState(s, arg);
        if (st !== FREE && st !== REUSED) return false;
        this.copy(s, out);
        return true;
      }
      case Kind.Exec: {
        if (this.gupStage(s, c) !== GUP_IDLE || !this.tlbHas(s, c, arg)) return false;
        const st = this.frameState(s, arg);
        if (st === FREE || st === REUSED) {
          this.copy(s, out);
          return true;
        }
        if (!this.icache) return false;
        const line = this.icLine(s, c, arg);
        const want = this.frameGen(s, arg) + 1;
        if (line === want) return false;
        this.copy(s, out);
        if (line === 0) set(out, this.cpuF[c]!, this.cpuWord(s, c) | (want << (this.IC_SH + 2 * arg)));
        return true;
      }
      case Kind.GupStart: {
        // local_irq_disable, and pick the address: one step, since nothing
        // else can observe the gap between them.
        if (this.gupStage(s, c) !== GUP_IDLE) return false;
        this.copy(s, out);
        const w = this.cpuWord(s, c) & ~((7 << this.GST_SH) | (this.GPG_MASK << this.GPG_SH));
        set(out, this.cpuF[c]!, w | (GUP_READ_PMD << this.GST_SH) | (arg << this.GPG_SH));
        return true;
      }
      case Kind.GupStep:
        return this.gupStep(s, c, out);
      case Kind.Reuse: {
        if (this.frameState(s, arg) !== FREE) return false;
        this.copy(s, out);
        set(out, this.frameF[arg]!, REUSED);
        return true;
      }
      case Kind.WriteCode: {
        // The new owner writes code into the frame: a new contents generation.
        if (this.frameState(s, arg) !== REUSED || this.frameGen(s, arg) !== 0) return false;
        this.copy(s, out);
        set(out, this.frameF[arg]!, REUSED | 4);
        return true;
      }
      case Kind.ExecNew: {
        // Kernel text (or the same mm mapping it again): no context switch,
        // so Tile's switch-time i-cache flush does not run in between.
        if (this.frameState(s, arg) !== REUSED || this.frameGen(s, arg) !== 1) return false;
        // The unmapper's CPU is inside its (non-preemptible, 2011) gather until it returns.
        if (c === 0 && this.pc(s) < this.ops.length) return false;
        const line = this.icLine(s, c, arg);
        if (line === 2) return false;
        this.copy(s, out);
        if (line === 0) set(out, this.cpuF[c]!, this.cpuWord(s, c) | (2 << (this.IC_SH + 2 * arg)));
        return true;
      }
      case Kind.RcuFree: {
        // The RCU-sched callback runs once every CPU that was in an
        // irq-disabled section at call_rcu time has left it; one table per step.
        const pending = get(s, this.rcuF!);
        if (pending === 0) return false;
        for (let x = 0; x < this.N; x++) if (((this.cpuWord(s, x) >>> this.RCUW_SH) & 1) === 1) return false;
        const t = 31 - Math.clz32(pending & -pending);
        this.copy(s, out);
        set(out, this.rcuF!, pending & ~(1 << t));
        set(out, this.frameF[this.K + t]!, FREE);
        return true;
      }
    }
    return false;
  }

  private unmapStep(s: State, out: State): boolean {
    const pc = this.pc(s);
    const op = this.ops[pc];
    // The initiator waits for every ack of its last IPI before going on.
    if (!op || this.inboxPending(s, 0)) return false;
    this.copy(s, out);
    set(out, this.upc, pc + 1);
    switch (op.kind) {
      case 'clear_pte':
        set(out, this.pteF, get(s, this.pteF) & ~(1 << op.page));
        break;
      case 'pmd_clear':
        set(out, this.pmdF, get(s, this.pmdF) & ~(1 << op.table));
        break;
      case 'flush':
        this.sendFlush(out, 0, 0, op);
        break;
      case 'free_page':
        this.releaseData(out, op.page, this.gupHolds(s, op.page, -1), true);
        break;
      case 'free_table':
        set(out, this.frameF[this.K + op.table]!, FREE);
        break;
      case 'call_rcu':
        // The grace period waits for every CPU now in an irq-disabled section.
        set(out, this.rcuF!, get(s, this.rcuF!) | op.tables);
        for (let c = 0; c < this.N; c++) {
          if (this.irqsOff(s, c)) set(out, this.cpuF[c]!, get(out, this.cpuF[c]!) | (1 << this.RCUW_SH));
        }
        break;
      case 'return':
        if (this.config.unmapperIrqsOff) this.leaveIrqOff(out, 0);
        break;
    }
    return true;
  }

  private flusherStep(s: State, out: State): boolean {
    const fpc = get(s, this.fpc!);
    if (fpc === 0) {
      // (local_irq_disable if configured, then) flush_tlb_mm by IPI.
      this.copy(s, out);
      set(out, this.fpc!, 1);
      this.sendFlush(out, this.flusherCpu, 1, this.flusherOp);
      return true;
    }
    if (fpc === 1) {
      if (this.inboxPending(s, 1)) return false;
      this.copy(s, out);
      set(out, this.fpc!, 2);
      this.leaveIrqOff(out, this.flusherCpu);
      return true;
    }
    return false;
  }

  private gupStep(s: State, c: number, out: State): boolean {
    const st = this.gupStage(s, c);
    if (st === GUP_IDLE) return false;
    const p = this.gupPage(s, c);
    const t = this.geometry.regionOf[p]!;
    const table = this.K + t;
    this.copy(s, out);
    let next: number;
    let irqsBackOn = false;
    switch (st) {
      case GUP_READ_PMD:
        // A software walk: it reads the pmd from memory, never from a walk cache.
        if (this.pmdPresent(s, t)) next = GUP_READ_PTE;
        else [next, irqsBackOn] = [GUP_IDLE, true];
        break;
      case GUP_READ_PTE:
        // Nothing cancels a software walk in flight: only the IPI it holds
        // off, or a table free deferred past it, keeps this read safe.
        if (this.frameState(s, table) === LIVE && this.ptePresent(s, p)) next = GUP_GET_REF;
        else [next, irqsBackOn] = [GUP_IDLE, true];
        break;
      case GUP_GET_REF:
        if (this.config.gupRef === 'get_page') next = GUP_IRQ_ON;
        // get_page_unless_zero fails on a frame whose count dropped to zero.
        else if (this.frameState(s, p) === FREE) [next, irqsBackOn] = [GUP_IDLE, true];
        else next = GUP_RECHECK;
        break;
      case GUP_RECHECK:
        // Re-read the PTE; if it changed, drop the reference again (put_page).
        if (this.frameState(s, table) === LIVE && this.ptePresent(s, p)) next = GUP_IRQ_ON;
        else {
          this.releaseData(out, p, this.gupHolds(s, p, c), false);
          [next, irqsBackOn] = [GUP_IDLE, true];
        }
        break;
      case GUP_IRQ_ON:
        [next, irqsBackOn] = [GUP_PUT, true];
        break;
      default:
        // GUP_PUT: the caller is done with the page: put_page, which frees a frame the mm already released.
        this.releaseData(out, p, this.gupHolds(s, p, c), false);
        next = GUP_IDLE;
    }
    const f = this.cpuF[c]!;
    set(out, f, (get(out, f) & ~(7 << this.GST_SH)) | (next << this.GST_SH));
    if (irqsBackOn) this.leaveIrqOff(out, c);
    return true;
  }

  // ---------------------------------------------------------------- symmetry

  /**
   * CPUs with the same roles are interchangeable: every per-CPU datum lives in
   * the CPU's own word, so sorting the words within each role class gives a
   * canonical representative.
   */
  symmetryClasses(): number[][] {
    const classes = new Map<string, number[]>();
    this.roles.forEach((r, c) => {
      if (r.unmapper || r.flusher) return;
      const key = `${r.accessor}/${r.gup}/${r.walks}`;
      const list = classes.get(key) ?? [];
      list.push(c);
      classes.set(key, list);
    });
    return [...classes.values()].filter((l) => l.length > 1);
  }

  // ---------------------------------------------------------------- display

  opLabel(op: Op): string {
    const where = op.stack.join(' > ');
    switch (op.kind) {
      case 'clear_pte':
        return `${where}: clear PTE of page ${op.page}`;
      case 'pmd_clear':
        return `${where}: clear pmd of table ${op.table}`;
      case 'flush':
        return `${where}: ${op.extent}${op.icache && this.icache ? ', evicting i-caches' : ''}${this.config.hw.tlb === 'ipi' ? ' (IPI)' : ' (broadcast)'}`;
      case 'free_page':
        return `${where}: free ${this.frameName(op.page)}`;
      case 'free_table':
        return `${where}: free ${this.frameName(this.K + op.table)}`;
      case 'call_rcu':
        return `${where}: defer freeing table${op.tables & (op.tables - 1) ? 's' : ''} ${maskList(op.tables)} past a grace period`;
      case 'return':
        return `${where}: return`;
    }
  }

  describe(s: State, a: number): string {
    const c = this.cpuOf[a]!;
    const arg = this.argOf[a]!;
    switch (this.kind[a] as Kind) {
      case Kind.Unmap: {
        const op = this.nextOp(s);
        return op ? this.opLabel(op) : 'unmapper: done';
      }
      case Kind.Flusher:
        return get(s, this.fpc!) === 0
          ? `flusher${this.config.flusherIrqsOff ? ': local_irq_disable;' : ':'} flush_tlb_mm (IPI to every other CPU)`
          : `flusher: all CPUs acknowledged${this.config.flusherIrqsOff ? '; local_irq_enable' : ''}`;
      case Kind.Ipi: {
        const op = arg === 0 ? this.ops[this.pc(s) - 1] : this.flusherOp;
        return `IPI from ${arg === 0 ? 'cpu0' : `cpu${this.flusherCpu}`}: ${op && op.kind === 'flush' ? `${op.primitive} ${op.extent}` : 'flush'}`;
      }
      case Kind.WalkStart: {
        const t = this.geometry.regionOf[arg]!;
        return this.wcHas(s, c, t)
          ? `hardware walk of page ${arg}: pmd of table ${t} from the walk cache`
          : `hardware walk of page ${arg}: read pmd of table ${t}${this.config.hw.walkCache ? ' (cached in the walk cache)' : ''}`;
      }
      case Kind.WalkPte: {
        const p = this.walkPage(s, c);
        if (p < 0) return this.actions[a]!.name;
        const table = this.K + this.geometry.regionOf[p]!;
        const ok = this.frameState(s, table) === LIVE;
        return `hardware walk of page ${p}: read its PTE from ${this.frameName(table)}${!ok ? ' (no longer a page table!)' : this.ptePresent(s, p) ? ', fill the TLB' : ' (not present)'}`;
      }
      case Kind.Read:
        return `read page ${arg} through the TLB (${this.frameName(arg)} is ${FRAME_NAMES[this.frameState(s, arg)]})`;
      case Kind.Exec:
        return `execute page ${arg} through the TLB`;
      case Kind.GupStart:
        return `gup_fast(page ${arg}): local_irq_disable`;
      case Kind.GupStep: {
        const st = this.gupStage(s, c);
        const p = this.gupPage(s, c);
        const t = this.geometry.regionOf[p]!;
        switch (st) {
          case GUP_READ_PMD:
            return `gup_fast(page ${p}): read pmd of table ${t}`;
          case GUP_READ_PTE:
            return `gup_fast(page ${p}): read PTE from ${this.frameName(this.K + t)}`;
          case GUP_GET_REF:
            return this.config.gupRef === 'get_page' ? `gup_fast(page ${p}): get_page(${this.frameName(p)})` : `gup_fast(page ${p}): get_page_unless_zero(${this.frameName(p)})`;
          case GUP_RECHECK:
            return `gup_fast(page ${p}): re-read the PTE`;
          case GUP_IRQ_ON:
            return `gup_fast(page ${p}): local_irq_enable`;
          default:
            return `put_page(${this.frameName(p)})`;
        }
      }
      case Kind.Reuse:
        return `allocator hands out ${this.frameName(arg)}`;
      case Kind.WriteCode:
        return `new owner writes code into ${this.frameName(arg)}`;
      case Kind.ExecNew:
        return `kernel executes the new code of ${this.frameName(arg)} (no context switch)`;
      case Kind.RcuFree: {
        const pending = get(s, this.rcuF!);
        const t = 31 - Math.clz32(pending & -pending);
        return `RCU callback: free ${this.frameName(this.K + t)}`;
      }
    }
    return this.actions[a]!.name;
  }

  /** Why action `a` cannot be taken in `s` (for replay errors), or undefined if it can. */
  whyDisabled(s: State, a: number): string | undefined {
    if (this.step(s, a, new Uint32Array(this.words))) return undefined;
    const c = this.cpuOf[a]!;
    const arg = this.argOf[a]!;
    switch (this.kind[a] as Kind) {
      case Kind.Unmap:
        if (this.pc(s) >= this.ops.length) return 'the unmapper has already returned';
        return `the unmapper waits for CPUs to acknowledge its flush IPI (${this.pendingCpus(s, 0)})`;
      case Kind.Flusher:
        return get(s, this.fpc!) === 2 ? 'the flusher has finished' : `the flusher waits for acknowledgements (${this.pendingCpus(s, 1)})`;
      case Kind.Ipi:
        return this.irqsOff(s, c) ? `cpu${c} has interrupts disabled` : `no IPI is pending on cpu${c}`;
      case Kind.WalkStart:
        if (this.walkPage(s, c) >= 0) return `cpu${c} already has a walk in flight`;
        if (this.tlbHas(s, c, arg)) return `cpu${c}'s TLB already maps page ${arg}`;
        return `the pmd of table ${this.geometry.regionOf[arg]} is cleared and not in cpu${c}'s walk cache`;
      case Kind.WalkPte:
        return `cpu${c} has no walk in flight`;
      case Kind.Read:
      case Kind.Exec:
        if (this.gupStage(s, c) !== GUP_IDLE) return `cpu${c}'s thread is inside gup_fast`;
        if (!this.tlbHas(s, c, arg)) return `cpu${c}'s TLB does not map page ${arg}`;
        return 'the access would change nothing and reach a live frame';
      case Kind.GupStart:
        return `cpu${c} is already inside gup_fast`;
      case Kind.GupStep:
        return `cpu${c} is not inside gup_fast`;
      case Kind.Reuse:
        return `${this.frameName(arg)} is not free`;
      case Kind.WriteCode:
        return `${this.frameName(arg)} is not a reused frame without new code`;
      case Kind.ExecNew:
        if (c === 0 && this.pc(s) < this.ops.length) return 'cpu0 is still inside the unmapping path';
        return `${this.frameName(arg)} holds no new code, or cpu${c} already runs it`;
      case Kind.RcuFree:
        return get(s, this.rcuF!) === 0 ? 'no table waits for RCU' : 'the grace period has not ended (a CPU is still in an interrupts-off section)';
    }
    return 'not enabled';
  }

  private pendingCpus(s: State, bit: number): string {
    const out: string[] = [];
    for (let c = 0; c < this.N; c++) if ((this.cpuWord(s, c) >>> (this.INBOX_SH + bit)) & 1) out.push(`cpu${c}${this.irqsOff(s, c) ? ', interrupts off' : ''}`);
    return out.join('; ');
  }

  /** Trace lane of an action: the CPU it runs on, else the allocator or RCU. */
  column(a: number): string {
    const k = this.kind[a] as Kind;
    if (k === Kind.Reuse || k === Kind.WriteCode) return 'allocator';
    if (k === Kind.RcuFree) return 'rcu';
    return `cpu${this.cpuOf[a]!}`;
  }

  private opShort(op: Op): string {
    switch (op.kind) {
      case 'clear_pte':
        return `clear PTE page ${op.page}`;
      case 'pmd_clear':
        return `pmd_clear table ${op.table}`;
      case 'flush':
        return op.primitive === 'flush_tlb_mm' ? 'flush_tlb_mm' : `flush_tlb_range ${shortExtent(op.pageMask)}`;
      case 'free_page':
        return `free frame ${op.page}`;
      case 'free_table':
        return `free table frame ${this.K + op.table}`;
      case 'call_rcu':
        return `call_rcu table ${maskList(op.tables)}`;
      case 'return':
        return 'return';
    }
  }

  shortLabel(s: State, a: number): string {
    const c = this.cpuOf[a]!;
    const arg = this.argOf[a]!;
    switch (this.kind[a] as Kind) {
      case Kind.Unmap: {
        const op = this.nextOp(s);
        return op ? this.opShort(op) : 'done';
      }
      case Kind.Flusher:
        return get(s, this.fpc!) === 0 ? 'flusher: flush_tlb_mm' : 'flusher: acks in';
      case Kind.Ipi: {
        const op = arg === 0 ? this.ops[this.pc(s) - 1] : this.flusherOp;
        return `IPI: ${op && op.kind === 'flush' ? this.opShort(op) : 'flush'}`;
      }
      case Kind.WalkStart:
        return `walk p${arg}: ${this.wcHas(s, c, this.geometry.regionOf[arg]!) ? 'cached pmd' : 'read pmd'}`;
      case Kind.WalkPte: {
        const p = this.walkPage(s, c);
        if (p < 0) return this.actions[a]!.name;
        if (this.frameState(s, this.K + this.geometry.regionOf[p]!) !== LIVE) return `walk p${p}: freed table!`;
        return `walk p${p}: ${this.ptePresent(s, p) ? 'PTE -> TLB' : 'PTE none'}`;
      }
      case Kind.Read:
        return `read p${arg} (frame ${FRAME_NAMES[this.frameState(s, arg)]})`;
      case Kind.Exec:
        return `exec p${arg}`;
      case Kind.GupStart:
        return `gup p${arg}: irqs off`;
      case Kind.GupStep: {
        const p = this.gupPage(s, c);
        return `gup p${p}: ${['', 'read pmd', 'read PTE', this.config.gupRef === 'get_page' ? 'get_page' : 'get_unless_zero', 'recheck PTE', 'irqs on', 'put_page'][this.gupStage(s, c)]}`;
      }
      case Kind.Reuse:
        return `reuse frame ${arg}`;
      case Kind.WriteCode:
        return `new code in frame ${arg}`;
      case Kind.ExecNew:
        return `exec new code fr ${arg}`;
      case Kind.RcuFree: {
        const pending = get(s, this.rcuF!);
        return `free table frame ${this.K + 31 - Math.clz32(pending & -pending)}`;
      }
    }
    return this.actions[a]!.name;
  }

  /** Lanes a step reaches besides its own: a flush's targets, an IPI's initiator. */
  links(s: State, a: number): { column: string; label: string }[] {
    const k = this.kind[a] as Kind;
    let op: Op | undefined;
    let from = 0;
    if (k === Kind.Unmap) op = this.nextOp(s);
    else if (k === Kind.Flusher && get(s, this.fpc!) === 0) {
      op = this.flusherOp;
      from = this.flusherCpu;
    } else if (k === Kind.Ipi) {
      return [{ column: this.argOf[a] === 0 ? 'cpu0' : `cpu${this.flusherCpu}`, label: 'ack' }];
    }
    if (!op || op.kind !== 'flush') return [];
    const out: { column: string; label: string }[] = [];
    for (let c = 0; c < this.N; c++) if (c !== from) out.push({ column: `cpu${c}`, label: this.config.hw.tlb === 'ipi' ? 'IPI' : 'broadcast' });
    return out;
  }

  decode(s: State): Json {
    const { K, T, N } = this;
    const pc = this.pc(s);
    const frames: { [k: string]: Json } = {};
    for (let f = 0; f < K + T; f++) {
      const st = FRAME_NAMES[this.frameState(s, f)]!;
      frames[`frame${f}`] = (f < K ? 'data ' : 'table ') + st + (this.icache && f < K && this.frameGen(s, f) ? ' (new code)' : '');
    }
    const pte: { [k: string]: Json } = {};
    for (let p = 0; p < K; p++) pte[`page${p}`] = this.ptePresent(s, p) ? `frame ${p}` : 'none';
    const pmd: { [k: string]: Json } = {};
    for (let t = 0; t < T; t++) pmd[`table${t}`] = this.pmdPresent(s, t) ? `frame ${K + t}` : 'none';
    const cpus: { [k: string]: Json } = {};
    for (let c = 0; c < N; c++) {
      const tlb: { [k: string]: Json } = {};
      for (let p = 0; p < K; p++) if (this.tlbHas(s, c, p)) tlb[`page${p}`] = `frame ${p}`;
      const cpu: { [k: string]: Json } = { tlb };
      if (this.config.hw.walkCache) {
        const wc: { [k: string]: Json } = {};
        for (let t = 0; t < T; t++) if (this.wcHas(s, c, t)) wc[`table${t}`] = `frame ${K + t}`;
        cpu['walkCache'] = wc;
      }
      const wp = this.walkPage(s, c);
      if (this.roles[c]!.walks) cpu['walk'] = wp < 0 ? 'idle' : `page ${wp}, holding pmd of table ${this.geometry.regionOf[wp]}`;
      if (this.icache) {
        const lines: { [k: string]: Json } = {};
        for (let f = 0; f < K; f++) {
          const l = this.icLine(s, c, f);
          if (l > 0) lines[`frame${f}`] = l === 1 ? 'old code' : 'new code';
        }
        cpu['icache'] = lines;
      }
      cpu['irqs'] = this.irqsOff(s, c) ? 'off' : 'on';
      const inbox = (this.cpuWord(s, c) >>> this.INBOX_SH) & 3;
      if (this.config.hw.tlb === 'ipi') {
        cpu['ipi'] = [inbox & 1 ? 'from cpu0' : '', inbox & 2 ? `from cpu${this.flusherCpu}` : ''].filter(Boolean).join(', ') || 'none';
      }
      if (this.usesRcu) cpu['rcuWait'] = ((this.cpuWord(s, c) >>> this.RCUW_SH) & 1) === 1;
      if (this.roles[c]!.gup) {
        const st = this.gupStage(s, c);
        cpu['gup'] = st === GUP_IDLE ? 'idle' : `page ${this.gupPage(s, c)}: ${GUP_NAMES[st]}`;
      }
      cpus[`cpu${c}`] = cpu;
    }
    const out: { [k: string]: Json } = {
      unmapper: pc < this.ops.length ? (pc === 0 ? 'not started' : 'running') : 'returned',
      pte,
      pmd,
      frames,
      ...cpus,
    };
    if (this.fpc) out['flusher'] = ['not started', 'waiting for acks', 'done'][get(s, this.fpc)]!;
    if (this.rcuF) out['rcuPending'] = maskList(get(s, this.rcuF)) || 'none';
    return out;
  }
}

function maskToList(m: number): number[] {
  const out: number[] = [];
  for (let i = 0; m >>> i; i++) if ((m >>> i) & 1) out.push(i);
  return out;
}

function shortExtent(mask: number): string {
  const l = maskToList(mask);
  return l.length === 1 ? `p${l[0]}` : `p${l[0]}-${l[l.length - 1]}`;
}

function maskList(m: number): string {
  return maskToList(m).join(', ');
}
