/**
 * A violation turned into something a human (or a JSON consumer) can read:
 * the path is replayed, each step gets its agent, its state-specific label
 * and the diff of the decoded state it caused.
 */
import type { Json, Model, State } from '../engine/model.ts';
import { replay } from '../engine/replay.ts';
import type { Violation } from '../engine/result.ts';
import { diffStates, type Change } from './diff.ts';

export interface TraceStep {
  /** 1-based step number. */
  readonly index: number;
  readonly action: number;
  readonly agent: string;
  readonly label: string;
  readonly changes: readonly Change[];
  readonly state: State;
}

export interface TraceView {
  readonly property: string;
  readonly statement: string;
  readonly kind: Violation['kind'];
  readonly initialIndex: number;
  readonly initial: State;
  readonly steps: readonly TraceStep[];
}

export function traceView(model: Model, v: Violation): TraceView {
  const r = replay(model, v.initial, v.path);
  let prev: Json = model.decode(r.initial);
  const steps: TraceStep[] = r.steps.map((st, i) => {
    const cur = model.decode(st.state);
    const changes = diffStates(prev, cur);
    prev = cur;
    return { index: i + 1, action: st.action, agent: st.agent, label: st.label, changes, state: st.state };
  });
  return { property: v.property, statement: v.statement, kind: v.kind, initialIndex: v.initial, initial: r.initial, steps };
}
