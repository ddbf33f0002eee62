/**
 * Partial-order reduction for the TLB machine: what each action reads and
 * writes, as components of the state (src/engine/por.ts decides with them).
 *
 * Components are the things agents share: each PTE slot, the pmd entries,
 * each frame, the references on each data frame (PTE, gather batches,
 * gup_fast, reclaim's isolation: frameHeld reads them all), each CPU's
 * record and its IPI inbox apart, each kernel agent's record and its
 * revoked pages apart, each PTL (and the pmd lock), mmap_lock, each VMA
 * (its lifecycle, its write lock, the per-VMA read locks on it),
 * tlb_flush_pending, tlb_flush_batched, RCU's queue, the cost counters. A
 * lock held is its agent's bit but the lock's component: acquiring reads
 * the others' bits, so that is where the sharing is.
 *
 * Kernel steps declare what they touch (KernelBuilder, StepSpec.touches);
 * a step that does not declare it touches everything and is never reordered
 * (flushes, frees, PTE changes and returns are left so: they meet the
 * hardware everywhere). The steps that do declare it are the ones hardware
 * never looks at (lock, counter and VMA steps); a kernel agent at such a
 * step forms an ample set when no other agent may still touch the same lock,
 * counter or VMA. Every kernel step also reads its own record, the IPI
 * inboxes (it waits for acknowledgements) and the table frames (invariant
 * 4's check), and writes its record.
 */
import type { Independence, State } from '../../src/engine/model.ts';
import { Kind, type TlbMachine } from './machine.ts';
import type { Instr } from './kernel/program.ts';

export class Components {
  private n = 0;
  private readonly base: Record<string, number> = {};
  readonly pmd: number;
  readonly mmap: number;
  readonly pending: number;
  readonly batched: number;
  readonly rcu: number;
  readonly cost: number;

  constructor(
    readonly S: number,
    readonly F: number,
    readonly K: number,
    readonly N: number,
    readonly A: number,
    readonly TF: number,
    readonly V: number,
  ) {
    this.take('pte', S);
    this.pmd = this.take('pmd', 1);
    this.take('frame', F);
    this.take('live', F);
    this.take('ref', K);
    this.take('folio', K);
    this.take('cpu', N);
    this.take('inbox', N * A);
    this.take('agent', A);
    this.take('irq', A);
    this.take('rev', A);
    this.take('ptl', TF + 1);
    this.mmap = this.take('mmap', 1);
    this.take('vma', V);
    this.pending = this.take('pending', 1);
    this.batched = this.take('batched', 1);
    this.rcu = this.take('rcu', 1);
    this.cost = this.take('cost', 1);
  }

  private take(name: string, count: number): number {
    this.base[name] = this.n;
    this.n += Math.max(0, count);
    return this.base[name]!;
  }

  get count(): number {
    return this.n;
  }
  get words(): number {
    return Math.ceil(this.n / 32);
  }
  pte(s: number): number {
    return this.base['pte']! + s;
  }
  /** Frame f's state (live, free, reused) and contents generation. */
  frame(f: number): number {
    return this.base['frame']! + f;
  }
  /** Whether frame f is live: what most readers care about, and what the allocator's reuse of a free frame does not change. */
  live(f: number): number {
    return this.base['live']! + f;
  }
  /** A frame's freeing: its liveness and its state. */
  freeing(fs: readonly number[]): number[] {
    return fs.flatMap((f) => [this.frame(f), this.live(f)]);
  }
  ref(f: number): number {
    return this.base['ref']! + f;
  }
  folio(f: number): number {
    return this.base['folio']! + f;
  }
  cpu(c: number): number {
    return this.base['cpu']! + c;
  }
  /** CPU c's inbox bit for kernel agent i's flush IPIs. */
  inbox(c: number, i: number): number {
    return this.base['inbox']! + c * this.A + i;
  }
  /** Agent i's interrupts-off bit (read by IPI handlers on its CPU and by call_rcu). */
  irq(i: number): number {
    return this.base['irq']! + i;
  }
  /** Every CPU's inbox bit for agent i. */
  inboxesOf(i: number): number[] {
    return Array.from({ length: this.N }, (_, c) => this.inbox(c, i));
  }
  /** Every CPU's record. */
  cpus(): number[] {
    return Array.from({ length: this.N }, (_, c) => this.cpu(c));
  }
  /** PTE slots of data frame f (its page, and mremap's destination when it has its own slots). */
  slotsOf(f: number): number[] {
    return Array.from({ length: this.S }, (_, s) => s).filter((s) => s % this.K === f).map((s) => this.pte(s));
  }
  /** What releasing data frame f reads (frameHeld: PTEs, the holders' references) and writes. */
  release(f: number): { reads: number[]; writes: number[] } {
    return { reads: [...this.slotsOf(f), this.ref(f), this.live(f), ...this.cpus()], writes: [this.frame(f), this.live(f)] };
  }
  agent(i: number): number {
    return this.base['agent']! + i;
  }
  rev(i: number): number {
    return this.base['rev']! + i;
  }
  ptl(t: number): number {
    return this.base['ptl']! + t;
  }
  vma(v: number): number {
    return this.base['vma']! + v;
  }
  vmas(): number[] {
    return Array.from({ length: this.V }, (_, v) => this.vma(v));
  }
  range(name: 'pte' | 'frame' | 'live' | 'cpu' | 'ref' | 'folio' | 'vma', count: number, from = 0): number[] {
    return Array.from({ length: count }, (_, i) => this.base[name]! + from + i);
  }
}

/** A pair of bitsets over the components. */
class Fp {
  readonly r: Uint32Array;
  readonly w: Uint32Array;
  constructor(words: number) {
    this.r = new Uint32Array(words);
    this.w = new Uint32Array(words);
  }
  read(...cs: readonly number[]): this {
    for (const c of cs) this.r[c >>> 5]! |= 1 << (c & 31);
    return this;
  }
  write(...cs: readonly number[]): this {
    for (const c of cs) this.w[c >>> 5]! |= 1 << (c & 31);
    return this;
  }
  all(): this {
    this.r.fill(0xffffffff);
    this.w.fill(0xffffffff);
    return this;
  }
  or(o: Fp): this {
    for (let k = 0; k < this.r.length; k++) {
      this.r[k]! |= o.r[k]!;
      this.w[k]! |= o.w[k]!;
    }
    return this;
  }
  into(r: Uint32Array, w: Uint32Array): void {
    for (let k = 0; k < this.r.length; k++) {
      r[k]! |= this.r[k]!;
      w[k]! |= this.w[k]!;
    }
  }
}

export function tlbIndependence(m: TlbMachine): Independence {
  const c = m.comp;
  const W = c.words;
  const A = m.actions.length;
  const g = m.g;
  const tables = c.range('live', m.TF, m.K);

  // Kernel agents: the footprint of each step (with the locals folded into it), and of every suffix of the program.
  const stepFp: Fp[][] = [];
  const futureFp: Fp[][] = [];
  for (const a of m.kagents) {
    const prog = a.prog;
    // Every step reads its record, waits for acknowledgements of its own IPIs, and (invariant 4) reads the table frames.
    const own = (): Fp => new Fp(W).read(c.agent(a.index), ...c.inboxesOf(a.index), ...tables).write(c.agent(a.index));
    const add = (fp: Fp, ins: Instr): void => {
      if (ins.touches === 'all') fp.all();
      else fp.read(...ins.touches.reads).write(...ins.touches.writes);
    };
    const fps: Fp[] = prog.map((ins, pc) => {
      const fp = own();
      if (!ins.step) return fp;
      add(fp, ins);
      // The locals that run as part of this step: every path from its successors up to the next step.
      const seen = new Set<number>();
      const todo = [...ins.succ()];
      while (todo.length > 0) {
        const q = todo.pop()!;
        if (q >= prog.length || seen.has(q) || prog[q]!.step) continue;
        seen.add(q);
        add(fp, prog[q]!);
        todo.push(...prog[q]!.succ());
      }
      void pc;
      return fp;
    });
    stepFp.push(fps);
    // What the agent may still do from pc: every step from the lowest instruction any later jump can reach.
    const minTarget = prog.map((ins, pc) => Math.min(pc + 1, ...ins.succ()));
    const fut: Fp[] = [];
    for (let pc = 0; pc <= prog.length; pc++) {
      let lo = pc;
      for (let changed = true; changed; ) {
        changed = false;
        for (let j = lo; j < prog.length; j++) {
          if (minTarget[j]! < lo) {
            lo = minTarget[j]!;
            changed = true;
            break;
          }
        }
      }
      const fp = own();
      for (let j = lo; j < prog.length; j++) if (prog[j]!.step) fp.or(fps[j]!);
      fut.push(fp);
    }
    futureFp.push(fut);
  }

  // Other actions: static footprints (a walk's second step reads whichever PTE it holds: all of them).
  const writeRevokers = m.kagents.filter((a) => a.revokes === 'write').map((a) => c.rev(a.index));
  const staticFp: Fp[] = [];
  for (let x = 0; x < A; x++) {
    const cpu = m.cpuOf[x]!;
    const arg = m.argOf[x]!;
    const fp = new Fp(W);
    const agentsOn = (cc: number): number[] => m.kagents.filter((k) => k.cpu === cc).map((k) => c.agent(k.index));
    const irqsOn = (cc: number): number[] => m.kagents.filter((k) => k.cpu === cc).map((k) => c.irq(k.index));
    switch (m.kind[x] as Kind) {
      case Kind.Kernel:
        break; // dynamic
      case Kind.Ipi:
        // Enabled when the bit is set and the CPU's interrupts are on; applies the initiator's flush; the last ack clears it.
        fp.read(c.inbox(cpu, arg), c.cpu(cpu), ...irqsOn(cpu), c.agent(arg), ...c.inboxesOf(arg)).write(c.cpu(cpu), c.inbox(cpu, arg), c.agent(arg));
        break;
      case Kind.WalkStart:
      case Kind.WalkWrite:
        fp.read(c.cpu(cpu), c.pmd).write(c.cpu(cpu));
        break;
      case Kind.WalkPte:
        fp.read(c.cpu(cpu), ...c.range('pte', m.S), ...c.range('live', m.K + m.TF)).write(c.cpu(cpu));
        if (m.feat.writes) fp.write(...c.range('pte', m.S), ...writeRevokers);
        break;
      case Kind.Read:
      case Kind.Write:
        fp.read(c.cpu(cpu), c.live(m.frameOf(arg))).write(c.cpu(cpu));
        break;
      case Kind.Exec:
        fp.read(c.cpu(cpu), c.live(m.frameOf(arg)), c.frame(m.frameOf(arg))).write(c.cpu(cpu));
        break;
      case Kind.GupStart:
        fp.read(c.cpu(cpu)).write(c.cpu(cpu));
        break;
      case Kind.GupStep:
        // Reads the tables and the frame; holding or dropping its reference is a write of the frame's references.
        fp.read(c.cpu(cpu), c.pmd, ...c.range('pte', m.S), ...c.range('frame', m.K + m.TF), ...c.range('live', m.K + m.TF), ...c.range('ref', m.K), ...c.cpus());
        fp.write(c.cpu(cpu), ...c.range('ref', m.K), ...c.freeing(Array.from({ length: m.K }, (_, f) => f)));
        break;
      case Kind.Reuse:
      case Kind.WriteCode:
        fp.read(c.frame(arg)).write(c.frame(arg));
        break;
      case Kind.ExecNew:
        fp.read(c.frame(arg), c.live(arg), c.cpu(cpu), ...agentsOn(cpu)).write(c.cpu(cpu));
        break;
      case Kind.RcuFree:
        fp.read(c.rcu, ...c.cpus()).write(c.rcu, ...c.freeing(Array.from({ length: m.TF }, (_, t) => m.K + t)));
        break;
    }
    staticFp.push(fp);
  }
  // Per engine agent: its actions, and the union of their static footprints.
  const actionsOf: number[][] = m.agents.map(() => []);
  m.actions.forEach((info, x) => actionsOf[info.agent]!.push(x));
  const kernelOfAgent = m.agents.map((_, ag) => {
    const x = actionsOf[ag]![0];
    return x !== undefined && m.kind[x] === Kind.Kernel ? m.argOf[x]! : -1;
  });
  const agentStatic: Fp[] = actionsOf.map((xs) => xs.reduce((fp, x) => fp.or(staticFp[x]!), new Fp(W)));
  const ipiAgent = actionsOf.map((xs) => xs.length > 0 && xs.every((x) => m.kind[x] === Kind.Ipi));
  void g;

  return {
    reads: [],
    writes: [],
    componentWords: W,
    localActions: (_s: State, agent: number) => actionsOf[agent]!,
    footprint(s: State, x: number, r: Uint32Array, w: Uint32Array): void {
      if (m.kind[x] === Kind.Kernel) {
        const a = m.kagents[m.argOf[x]!]!;
        const pc = a.pcOf(s);
        if (pc < a.prog.length) stepFp[a.index]![pc]!.into(r, w);
        return;
      }
      staticFp[x]!.into(r, w);
    },
    futureFootprint(s: State, agent: number, mover: number, r: Uint32Array, w: Uint32Array): void {
      const k = kernelOfAgent[agent]!;
      if (k >= 0) {
        const a = m.kagents[k]!;
        futureFp[k]![Math.min(a.pcOf(s), a.prog.length)]!.into(r, w);
        return;
      }
      if (ipiAgent[agent]) {
        // A CPU handles an initiator's IPI only once it was sent: while the mover stays still, not its later ones.
        const moverKernel = kernelOfAgent[mover]!;
        for (const x of actionsOf[agent]!) {
          const i = m.argOf[x]!;
          if (i === moverKernel && (m.inbox(s, m.cpuOf[x]!) & (1 << i)) === 0) continue;
          staticFp[x]!.into(r, w);
        }
        return;
      }
      agentStatic[agent]!.into(r, w);
    },
  };
}
