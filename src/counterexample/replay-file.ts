/**
 * Re-executing a saved counterexample against the current model: it either
 * still reaches its violation, replays but no longer violates (fixed), or no
 * longer applies (malformed file, unknown configuration, a step that is not
 * enabled), each with a one-line reason.
 */
import { deadlockProperty, type Model, type ModelFactory, type ParamValues } from '../engine/model.ts';
import { checkParams, ParamError } from '../engine/params.ts';
import { lastState, replay, ReplayError } from '../engine/replay.ts';
import type { Violation } from '../engine/result.ts';
import { traceView, type TraceView } from '../render/trace.ts';
import { parseTraceFile, TraceFormatError, type TraceFile } from './format.ts';

export type ReplayOutcome =
  | { readonly status: 'violates'; readonly file: TraceFile; readonly model: Model; readonly params: ParamValues; readonly view: TraceView }
  | { readonly status: 'fixed'; readonly file: TraceFile; readonly reason: string }
  | { readonly status: 'invalid'; readonly reason: string };

export function replayTraceText(text: string, find: (id: string) => ModelFactory | undefined): ReplayOutcome {
  let file: TraceFile;
  try {
    file = parseTraceFile(text);
  } catch (e) {
    if (e instanceof TraceFormatError) return { status: 'invalid', reason: e.message };
    throw e;
  }
  const factory = find(file.model);
  if (!factory) return { status: 'invalid', reason: `unknown model '${file.model}'` };
  let params: ParamValues;
  try {
    params = checkParams(factory, file.params);
  } catch (e) {
    if (e instanceof ParamError) return { status: 'invalid', reason: `invalid configuration: ${e.message}` };
    throw e;
  }
  const model = factory.create(params);
  const dl = deadlockProperty(model);
  const inv = model.invariants.find((i) => i.id === file.property);
  if (!inv && file.property !== dl.id) return { status: 'invalid', reason: `the model has no property '${file.property}'` };

  const byName = new Map<string, number>();
  model.actions.forEach((a, i) => {
    if (!byName.has(a.name)) byName.set(a.name, i);
  });
  const path: number[] = [];
  for (let i = 0; i < file.steps.length; i++) {
    const a = byName.get(file.steps[i]!.action);
    if (a === undefined) return { status: 'invalid', reason: `step ${i + 1}: the model has no action '${file.steps[i]!.action}' (was the model changed?)` };
    path.push(a);
  }
  let r;
  try {
    r = replay(model, file.initial, path);
  } catch (e) {
    if (e instanceof ReplayError) return { status: 'invalid', reason: `the trace no longer applies: ${e.message}` };
    throw e;
  }
  const end = lastState(r);
  const n = r.steps.length;
  let violated: boolean;
  if (file.kind === 'deadlock') {
    const scratch = new Uint32Array(model.stateWords);
    violated = !model.isFinal(end) && !model.actions.some((_, a) => model.step(end, a, scratch));
  } else if (file.kind === 'step') {
    if (n === 0 || !inv?.holdsOnStep) return { status: 'invalid', reason: `property '${file.property}' is not a step property, or the trace is empty` };
    const before = n >= 2 ? r.steps[n - 2]!.state : r.initial;
    violated = !inv.holdsOnStep(before, path[n - 1]!, end);
  } else {
    if (!inv?.holds) return { status: 'invalid', reason: `property '${file.property}' is not a state property` };
    violated = !inv.holds(end);
  }
  if (!violated) {
    return { status: 'fixed', file, reason: `all ${n} steps replay, but ${file.property} holds at the end: the violation no longer reproduces (fixed?)` };
  }
  const v: Violation = { property: file.property, statement: inv?.statement ?? dl.statement, initial: file.initial, path, kind: file.kind };
  return { status: 'violates', file, model, params, view: traceView(model, v) };
}
