/**
 * The execution context of one kernel agent's step: the state being
 * written, the agent's own struct mmu_gather and registers, and the
 * machine whose shared state (PTEs, frames, locks, other CPUs) the step
 * acts on. One Exec per agent, rebound to a state before each step: no
 * allocation on the hot path.
 */
import { get, set } from '../../../src/engine/layout.ts';
import type { State } from '../../../src/engine/model.ts';
import type { TlbMachine } from '../machine.ts';
import type { KernelAgent } from './agent.ts';
import { Gather } from './gather.ts';
import type { Slot } from './slot.ts';

export class Exec {
  /** The state the step writes (a copy of the one it reads, made before it runs). */
  st!: State;
  /**
   * A value a step hands to the local instructions right after it (for
   * example whether the PTE it cleared was present). Not part of the state:
   * it is only valid until the next step.
   */
  scratch = 0;
  /** At a choice step (StepSpec.choices): the outcome this action picks. */
  choice = 0;
  readonly tlb: Gather;

  constructor(
    readonly m: TlbMachine,
    readonly agent: KernelAgent,
  ) {
    const g = m.g;
    this.tlb = new Gather(this, agent.rec, g.vpages, g.pages + g.tableFrames, g.tableFrames, g.vmas.length);
  }

  get(f: Slot): number {
    return get(this.st, f);
  }
  set(f: Slot, v: number): void {
    set(this.st, f, v);
  }
  flag(f: Slot): boolean {
    return get(this.st, f) !== 0;
  }
  /** The CPU this agent runs on. */
  get cpu(): number {
    return this.agent.cpu;
  }
}
