/**
 * Re-executing a saved trace against the current model, strictly: the file
 * either replays exactly (every parameter present, the property of the kind
 * the file says, every step enabled with the same agent, label and state
 * changes, the violation or witness reached at the last step and not
 * before), or it is invalid and the reason names the step. Only a file that
 * replays step for step can get "no longer violates" (or, for a witness, "no
 * longer reaches").
 */
import { agentOf, deadlockProperty, type Model, type ModelFactory, type ParamValues, type State } from '../engine/model.ts';
import { checkParams, ParamError } from '../engine/params.ts';
import { replay, ReplayError } from '../engine/replay.ts';
import type { TraceKind } from '../engine/result.ts';
import { formatChange } from '../render/diff.ts';
import { traceView, type TraceView } from '../render/trace.ts';
import { parseTraceFile, show, traceDigest, TraceFormatError, type TraceFile } from './format.ts';

export type ReplayOutcome =
  | { readonly status: 'violates' | 'reaches'; readonly file: TraceFile; readonly model: Model; readonly params: ParamValues; readonly view: TraceView }
  | { readonly status: 'fixed' | 'unreached'; readonly file: TraceFile; readonly reason: string }
  | { readonly status: 'invalid'; readonly reason: string };

const KIND_TEXT: Record<TraceKind, string> = {
  state: 'a state invariant',
  step: 'a step invariant',
  deadlock: 'the deadlock property',
  'reach-state': 'a reachability property over states',
  'reach-step': 'a reachability property over steps',
};

/** Which kinds a property id can be checked as in this model. */
function kindsOf(model: Model, id: string): TraceKind[] {
  const out: TraceKind[] = [];
  const inv = model.invariants.find((i) => i.id === id);
  if (inv?.holds) out.push('state');
  if (inv?.holdsOnStep) out.push('step');
  if (deadlockProperty(model).id === id) out.push('deadlock');
  const r = model.sometimes?.find((x) => x.id === id);
  if (r?.reached) out.push('reach-state');
  if (r?.reachedOnStep) out.push('reach-step');
  return out;
}

/** Whether the property the file names (of the file's kind) is met after step k (0: the initial state). */
function metAt(model: Model, file: TraceFile, states: readonly State[], path: readonly number[], k: number): boolean {
  const id = file.property;
  const s = states[k]!;
  switch (file.kind) {
    case 'state':
      return !model.invariants.find((i) => i.id === id)!.holds!(s);
    case 'step':
      return k > 0 && !model.invariants.find((i) => i.id === id)!.holdsOnStep!(states[k - 1]!, path[k - 1]!, s);
    case 'deadlock': {
      if (model.isFinal(s)) return false;
      const scratch = new Uint32Array(model.stateWords);
      return !model.actions.some((_, a) => model.step(s, a, scratch));
    }
    case 'reach-state':
      return model.sometimes!.find((r) => r.id === id)!.reached!(s);
    case 'reach-step':
      return k > 0 && model.sometimes!.find((r) => r.id === id)!.reachedOnStep!(states[k - 1]!, path[k - 1]!, s);
  }
}

export function replayTraceText(text: string, find: (id: string) => ModelFactory | undefined): ReplayOutcome {
  const invalid = (reason: string): ReplayOutcome => ({ status: 'invalid', reason });
  let file: TraceFile;
  try {
    file = parseTraceFile(text);
  } catch (e) {
    if (e instanceof TraceFormatError) return invalid(e.message);
    throw e;
  }
  const factory = find(file.model);
  if (!factory) return invalid(`unknown model ${show(file.model)}`);
  const missing = factory.params.filter((p) => !(p.name in file.params)).map((p) => p.name);
  if (missing.length > 0) return invalid(`parameter${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} missing: a trace file lists every parameter`);
  let params: ParamValues;
  try {
    params = checkParams(factory, file.params);
  } catch (e) {
    if (e instanceof ParamError) return invalid(`invalid configuration: ${e.message}`);
    throw e;
  }
  const model = factory.create(params);
  const kinds = kindsOf(model, file.property);
  if (kinds.length === 0) return invalid(`the model has no property ${show(file.property)}`);
  if (!kinds.includes(file.kind)) {
    return invalid(`property '${file.property}' is ${kinds.map((k) => KIND_TEXT[k]).join(' and ')}, but the file says kind '${file.kind}' (${KIND_TEXT[file.kind]})`);
  }

  const byName = new Map<string, number>();
  model.actions.forEach((a, i) => {
    if (!byName.has(a.name)) byName.set(a.name, i);
  });
  const path: number[] = [];
  for (let i = 0; i < file.steps.length; i++) {
    const a = byName.get(file.steps[i]!.action);
    if (a === undefined) return invalid(`step ${i + 1}: the model has no action ${show(file.steps[i]!.action)} (was the model changed?)`);
    path.push(a);
  }
  try {
    replay(model, file.initial, path);
  } catch (e) {
    if (e instanceof ReplayError) return invalid(`the trace no longer applies: ${e.message}`);
    throw e;
  }
  const witness = file.kind === 'reach-state' || file.kind === 'reach-step';
  const view = traceView(
    model,
    { property: file.property, statement: file.statement, initial: file.initial, path, kind: file.kind === 'reach-state' ? 'state' : file.kind === 'reach-step' ? 'step' : file.kind },
    file.kind,
  );
  // Step for step: the same agent, label and state changes as when the file was written.
  for (let i = 0; i < path.length; i++) {
    const want = file.steps[i]!;
    const got = view.steps[i]!;
    if (want.agent !== agentOf(model, got.action)) return invalid(`step ${i + 1}: the file says agent ${show(want.agent)}, the model's step is taken by ${show(got.agent)}`);
    if (want.label !== got.label) return invalid(`step ${i + 1}: the file says ${show(want.label)}, the model's step is ${show(got.label)}`);
    const changes = got.changes.map(formatChange);
    if (changes.length !== want.changes.length || changes.some((c, j) => c !== want.changes[j])) {
      const j = changes.findIndex((c, k) => c !== want.changes[k]);
      const at = j < 0 ? Math.min(changes.length, want.changes.length) : j;
      return invalid(`step ${i + 1} ("${want.action}") changes the state differently: the file says ${show(want.changes[at] ?? 'nothing more')}, the model gives ${show(changes[at] ?? 'nothing more')}`);
    }
  }
  const states: State[] = [view.initial, ...view.steps.map((s) => s.state)];
  const n = path.length;
  const what = witness ? 'reached' : 'violated';
  for (let k = 0; k < n; k++) {
    if (metAt(model, file, states, path, k)) {
      return invalid(`${file.property} is already ${what} ${k === 0 ? 'in the initial state' : `at step ${k}`}, but the file goes on to step ${n} (extra steps after it?)`);
    }
  }
  const met = metAt(model, file, states, path, n);
  // Last, the digest: a file cut or edited into another valid-looking trace.
  if (file.digest !== undefined && file.digest !== traceDigest(file)) {
    return invalid(
      met
        ? `every step replays, but the file was changed after it was written (its digest does not match)`
        : `the trace ends at step ${n} without ${file.property} ${what}, and its digest does not match: steps were cut or edited after it was written`,
    );
  }
  if (!met && file.digest === undefined) {
    return invalid(`the trace ends at step ${n} without ${file.property} ${what}; the file has no digest, so a corrected model cannot be told from a cut file (regenerate it)`);
  }
  if (!met) {
    const reason = `all ${n} steps replay exactly, but ${file.property} is not ${what} after the last one`;
    return witness ? { status: 'unreached', file, reason: `${reason}: the model no longer reaches it` } : { status: 'fixed', file, reason: `${reason}: the model no longer violates it` };
  }
  return { status: witness ? 'reaches' : 'violates', file, model, params, view };
}
