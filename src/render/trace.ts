/**
 * A violation turned into something a human (or a JSON consumer) can read:
 * the path is replayed, each step gets its agent, lane, labels, the diff of
 * the decoded state it caused and the lanes it reaches; the model explains
 * the violation at the end.
 */
import { agentOf, type Json, type LaneSpan, type Model, type State } from '../engine/model.ts';
import { replay } from '../engine/replay.ts';
import { witnessKind, type TraceKind, type Violation, type Witness } from '../engine/result.ts';
import { diffStates, type Change } from './diff.ts';

export interface TraceStep {
  /** 1-based step number. */
  readonly index: number;
  readonly action: number;
  /** The action's static name (stable across runs: what replay matches on). */
  readonly name: string;
  readonly agent: string;
  /** The lane this step is drawn in. */
  readonly column: string;
  readonly label: string;
  readonly short: string;
  readonly links: readonly { column: string; label: string }[];
  /** Windows open on lanes after this step (LaneSpan). */
  readonly spans: readonly LaneSpan[];
  /** The model's style for this step (Model.stepStyle), if any. */
  readonly style?: string;
  readonly changes: readonly Change[];
  readonly state: State;
  readonly decoded: Json;
}

export interface TraceView {
  readonly property: string;
  readonly statement: string;
  readonly kind: TraceKind;
  readonly initialIndex: number;
  readonly initial: State;
  readonly initialDecoded: Json;
  /** Windows open before the first step. */
  readonly initialSpans: readonly LaneSpan[];
  /** Lanes, in the model's order: one per CPU (or agent), then the others. */
  readonly columns: readonly string[];
  readonly steps: readonly TraceStep[];
  readonly explanation: string;
}

export function columnOf(model: Model, action: number): string {
  return model.traceColumn ? model.traceColumn(action) : agentOf(model, action);
}

/** Every lane of the model, in action order. */
export function modelColumns(model: Model): string[] {
  const out: string[] = [];
  for (let a = 0; a < model.actions.length; a++) {
    const c = columnOf(model, a);
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

/** A witness of a reachability property, as a trace (the last step reaches the state sought). */
export function witnessView(model: Model, w: Witness): TraceView {
  return traceView(model, w, witnessKind(w));
}

export function traceView(model: Model, v: Violation | Witness, as?: TraceKind): TraceView {
  const kind: TraceKind = as ?? v.kind;
  const r = replay(model, v.initial, v.path);
  const initialDecoded = model.decode(r.initial);
  let prev: Json = initialDecoded;
  let prevState: State = r.initial;
  const steps: TraceStep[] = r.steps.map((st, i) => {
    const decoded = model.decode(st.state);
    const changes = diffStates(prev, decoded);
    const step: TraceStep = {
      index: i + 1,
      action: st.action,
      name: model.actions[st.action]!.name,
      agent: st.agent,
      column: columnOf(model, st.action),
      label: st.label,
      short: model.shortLabel ? model.shortLabel(prevState, st.action) : st.label,
      links: model.stepLinks ? model.stepLinks(prevState, st.action, st.state) : [],
      spans: model.laneSpans ? model.laneSpans(st.state) : [],
      ...(model.stepStyle && model.stepStyle(prevState, st.action) ? { style: model.stepStyle(prevState, st.action)! } : {}),
      changes,
      state: st.state,
      decoded,
    };
    prev = decoded;
    prevState = st.state;
    return step;
  });
  const used = new Set(steps.flatMap((s) => [s.column, ...s.links.map((l) => l.column)]));
  // The lanes the model always draws (one per CPU, say), then any other lane the trace uses.
  const fixed = model.traceLanes ?? [];
  const columns = [...fixed, ...modelColumns(model).filter((c) => used.has(c) && !fixed.includes(c))];
  const explanation =
    model.explain && (kind === 'state' || kind === 'step' || kind === 'deadlock')
      ? model.explain({ property: v.property, kind, initial: r.initial, steps: r.steps.map((s) => ({ action: s.action, state: s.state })) })
      : defaultExplanation(v.property, kind, steps.length);
  return {
    property: v.property,
    statement: v.statement,
    kind,
    initialIndex: v.initial,
    initial: r.initial,
    initialDecoded,
    initialSpans: model.laneSpans ? model.laneSpans(r.initial) : [],
    columns,
    steps,
    explanation,
  };
}

function defaultExplanation(property: string, kind: TraceKind, n: number): string {
  if (kind === 'deadlock') return `after step ${n} no agent can move, and not every agent has finished.`;
  if (kind === 'step') return `step ${n} violates ${property}.`;
  if (kind === 'reach-state') return `the state after step ${n} is one ${property} looks for: it is reachable.`;
  if (kind === 'reach-step') return `step ${n} is one ${property} looks for: it is reachable.`;
  return `the state after step ${n} violates ${property}.`;
}

export function isWitnessKind(kind: TraceKind): boolean {
  return kind === 'reach-state' || kind === 'reach-step';
}
