/**
 * Rebuilding the states of a path by re-executing it. Determinism of
 * `Model.step` is what makes a path of action indices a complete trace.
 */
import { actionLabel, agentOf, type Model, type State } from './model.ts';

export interface ReplayedStep {
  readonly action: number;
  readonly agent: string;
  /** Label computed in the state the step was taken from. */
  readonly label: string;
  /** The state after the step. */
  readonly state: State;
}

export interface Replayed {
  readonly initial: State;
  readonly steps: readonly ReplayedStep[];
}

export class ReplayError extends Error {
  constructor(
    message: string,
    /** 0-based index of the step that could not be taken. */
    readonly stepIndex: number,
  ) {
    super(message);
  }
}

export function replay(model: Model, initial: number, path: readonly number[]): Replayed {
  const inits = model.initialStates();
  const first = inits[initial];
  if (!first) throw new ReplayError(`initial state #${initial} does not exist (the model has ${inits.length})`, -1);
  let cur: State = Uint32Array.from(first);
  const steps: ReplayedStep[] = [];
  for (let i = 0; i < path.length; i++) {
    const a = path[i]!;
    if (!Number.isInteger(a) || a < 0 || a >= model.actions.length) {
      throw new ReplayError(`step ${i + 1}: action #${a} does not exist (the model has ${model.actions.length})`, i);
    }
    const next = new Uint32Array(model.stateWords);
    if (!model.step(cur, a, next)) {
      const why = model.whyDisabled?.(cur, a);
      throw new ReplayError(`step ${i + 1} ("${model.actions[a]!.name}") is not enabled after step ${i}${why ? `: ${why}` : ''}`, i);
    }
    // Labels describe enabled steps only: compute after the step succeeded.
    steps.push({ action: a, agent: agentOf(model, a), label: actionLabel(model, cur, a), state: next });
    cur = next;
  }
  return { initial: Uint32Array.from(first), steps };
}

/** The state at the end of a replayed path. */
export function lastState(r: Replayed): State {
  return r.steps.length > 0 ? r.steps[r.steps.length - 1]!.state : r.initial;
}
