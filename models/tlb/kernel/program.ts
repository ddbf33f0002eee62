/**
 * Kernel code as an agent program. A kernel path (munmap, madvise, reclaim,
 * ...) is written once, against the mmu_gather hooks, as ordinary calls of a
 * builder: `step` emits one atomic action that other agents can interleave
 * with, `local` emits bookkeeping on the agent's own state (its struct
 * mmu_gather, its registers), `if`/`goto` emit control flow. The builder
 * records the kernel call stack at every instruction, so a trace names
 * `munmap > vms_clear_ptes > unmap_vmas > zap_pte_range > ptep_get_and_clear`
 * at each step.
 *
 * What runs at step time is the closures: they read and write the packed
 * state (the gather fields live there), so every decision a hook takes from
 * its gather, from a PTE another agent may have cleared, or from a counter
 * another agent may have raised, is taken when the step runs. Only what the
 * kernel decides at compile time (Kconfig, the VMA layout, which tables a
 * range spans) is decided when the program is built.
 *
 * Local instructions are invisible to other agents, so the interpreter runs
 * them right after the step before them (a step never stops on one): they
 * cost no interleavings and no states.
 */
import type { Exec } from './exec.ts';

/** The next pc when a step refuses to run (a lock is held, an ack is missing): the action is not enabled. */
export const BLOCKED = -1;

/** What a step does, for display (trace styling) and for analyses that need no state. */
export type StepKind =
  | 'pte' // clears or changes PTEs
  | 'pmd' // clears or populates an upper-level entry
  | 'flush' // issues a TLB flush
  | 'free' // drops a reference to a frame or frees a table
  | 'rcu' // hands tables to RCU
  | 'lock' // takes or drops a lock
  | 'vma' // changes the VMA tree or rmap
  | 'counter' // reads or changes an mm counter (tlb_flush_pending, tlb_flush_batched)
  | 'irq' // local_irq_disable/enable
  | 'io' // pageout
  | 'alloc' // an allocation that may fail (a choice step)
  | 'return'; // the path returns

export class Label {
  pc = -1;
}

/**
 * What an instruction touches beyond its own agent's record, for
 * partial-order reduction (models/tlb/por.ts): component numbers it reads
 * and writes, or 'all' when it is not declared. A step that is not declared
 * touches everything (never reordered); a local that is not declared
 * touches only its agent's record (its gather, its registers), so a local
 * that reads or writes shared state must say so.
 */
export type Touches = 'all' | { readonly reads: readonly number[]; readonly writes: readonly number[] };
export const OWN: Touches = { reads: [], writes: [] };

export interface Instr {
  /** An interleaving point (true), or bookkeeping run as part of the step before it. */
  readonly step: boolean;
  readonly kind: StepKind | 'local';
  /** Kernel call stack, outermost first; the last name is the primitive. */
  readonly stack: readonly string[];
  /** Runs the instruction; returns the next pc, or BLOCKED. */
  readonly exec: (x: Exec) => number;
  /** What the step does in this state (display only; must not write). */
  readonly label?: (x: Exec) => string;
  /** About 24 characters, for a trace lane. */
  readonly short?: (x: Exec) => string;
  /** Why the step cannot run in this state (display only). */
  readonly why?: (x: Exec) => string | undefined;
  /** The frame the step is about (pageout's folio), or -1: for invariants. */
  readonly subject?: (x: Exec) => number;
  /** The frame whose contents the step copies into a new page (khugepaged's collapse), or -1: for invariants. */
  readonly copies?: (x: Exec) => number;
  /** What it touches (partial-order reduction). */
  readonly touches: Touches;
  /** A choice step: how many outcomes the environment may pick (an allocation that may fail); `x.choice` says which. */
  readonly choices?: number;
  /** The instructions it can continue at (fall-through and jumps), once every label is placed. */
  readonly succ: () => readonly number[];
}

export interface StepSpec {
  readonly kind: StepKind;
  /** The primitive's name, pushed on the call stack (for example `ptep_get_and_clear`). */
  readonly name: string;
  readonly label: (x: Exec) => string;
  readonly short: (x: Exec) => string;
  /**
   * The step's effect on `x.st`. Return BLOCKED to refuse (nothing is
   * written), a label's pc to jump, or nothing to fall through.
   */
  readonly run: (x: Exec) => number | void;
  readonly why?: (x: Exec) => string | undefined;
  readonly subject?: (x: Exec) => number;
  readonly copies?: (x: Exec) => number;
  /** What it touches beyond the agent's record (default: 'all', never reordered by partial-order reduction). */
  readonly touches?: Touches;
  /** Labels `run` may return (besides falling through); 'self' when it may repeat itself. */
  readonly targets?: readonly (Label | 'self')[];
  /**
   * A nondeterministic step with this many outcomes (at least 2): each is its
   * own action of the agent, and `run` reads `x.choice` (0 .. choices-1).
   */
  readonly choices?: number;
}

export class ProgramBuilder {
  readonly code: Instr[] = [];
  private readonly stack: string[] = [];

  /** Runs `fn` with `name` pushed on the kernel call stack. */
  within<T>(name: string, fn: () => T): T {
    this.stack.push(name);
    try {
      return fn();
    } finally {
      this.stack.pop();
    }
  }

  /** The call stack at this point, for a primitive named `leaf`. */
  here(leaf?: string): string[] {
    return leaf ? [...this.stack, leaf] : [...this.stack];
  }

  step(spec: StepSpec): void {
    const self = this.code.length;
    const next = self + 1;
    const run = spec.run;
    const targets = spec.targets ?? [];
    this.code.push({
      touches: spec.touches ?? 'all',
      succ: () => [next, ...targets.map((t) => (t === 'self' ? self : t.pc))],
      step: true,
      kind: spec.kind,
      stack: this.here(spec.name),
      exec: (x) => {
        const r = run(x);
        return r === undefined ? next : r;
      },
      label: spec.label,
      short: spec.short,
      ...(spec.why ? { why: spec.why } : {}),
      ...(spec.subject !== undefined ? { subject: spec.subject } : {}),
      ...(spec.copies !== undefined ? { copies: spec.copies } : {}),
      ...(spec.choices !== undefined ? { choices: spec.choices } : {}),
    });
  }

  /** Bookkeeping on the agent's own state (or, declared in `touches`, shared state); runs as part of the preceding step. */
  local(fn: (x: Exec) => void, touches: Touches = OWN): void {
    const next = this.code.length + 1;
    this.code.push({
      touches,
      succ: () => [next],
      step: false,
      kind: 'local',
      stack: this.here(),
      exec: (x) => {
        fn(x);
        return next;
      },
    });
  }

  label(): Label {
    return new Label();
  }

  /** Marks the current position as `l`'s target. */
  place(l: Label): void {
    l.pc = this.code.length;
  }

  goto(l: Label): void {
    this.code.push({ step: false, kind: 'local', stack: this.here(), exec: () => l.pc, touches: OWN, succ: () => [l.pc] });
  }

  /** `if (cond) then() else otherwise()`, decided on the agent's own state (local), or on the shared state `touches` declares. */
  if(cond: (x: Exec) => boolean, then: () => void, otherwise?: () => void, touches: Touches = OWN): void {
    const elseL = this.label();
    const endL = this.label();
    const fallthrough = this.code.length + 1;
    this.code.push({ step: false, kind: 'local', stack: this.here(), exec: (x) => (cond(x) ? fallthrough : elseL.pc), touches, succ: () => [fallthrough, elseL.pc] });
    then();
    if (otherwise) this.goto(endL);
    this.place(elseL);
    if (otherwise) otherwise();
    this.place(endL);
  }

  /** The finished program; every label must have been placed. */
  finish(): readonly Instr[] {
    return this.code;
  }
}
