/**
 * Counterexamples for the violating rows of a suite: the shortest violation
 * of the row's first property, in the smallest configuration that still
 * violates it.
 */
import type { ModelFactory, ParamValues } from '../engine/model.ts';
import { paramsAsArgs } from '../engine/params.ts';
import { traceView, type TraceView } from '../render/trace.ts';
import type { Suite, SuiteRow } from '../suite/suite.ts';
import { toTraceFile, type TraceFile } from './format.ts';
import { minimize, violationOf } from './shrink.ts';

export interface Generated {
  /** File name without extension, derived from the row id. */
  readonly name: string;
  readonly row: SuiteRow;
  readonly file: TraceFile;
  readonly view: TraceView;
}

export function fileNameFor(rowId: string): string {
  return rowId.replace(/\]/g, '').replace(/[[/=,]+/g, '_').replace(/[^A-Za-z0-9._-]/g, '-');
}

export function reproduceCommand(factory: ModelFactory, params: ParamValues): string {
  return ['tlbcheck', 'check', factory.id, ...paramsAsArgs(factory, params)].join(' ');
}

/** Minimal counterexample for one violation of `property` from `params` (shrinking when `shrink` is true). */
export function counterexample(factory: ModelFactory, params: ParamValues, property: string, shrink: boolean): { file: TraceFile; view: TraceView } | undefined {
  let finalParams = params;
  let minimization: TraceFile['minimization'];
  let violation;
  if (shrink && factory.shrink) {
    const m = minimize(factory, params, property);
    if (!m) return undefined;
    finalParams = m.params;
    violation = m.violation;
    minimization = { from: { ...params }, tried: m.tried, final: m.final };
  } else {
    violation = violationOf(factory, params, property).violation;
    if (!violation) return undefined;
  }
  const model = factory.create(finalParams);
  const view = traceView(model, violation);
  return { file: toTraceFile(factory.id, finalParams, view, reproduceCommand(factory, finalParams), minimization, factory.branches?.(finalParams)), view };
}

export function generateForSuite(
  suite: Suite,
  find: (id: string) => ModelFactory | undefined,
  onRow?: (g: Generated) => void,
): Generated[] {
  const out: Generated[] = [];
  for (const row of suite.rows) {
    if (row.expect.verdict !== 'violated') continue;
    const factory = find(row.model);
    if (!factory) throw new Error(`unknown model ${row.model}`);
    const params = { ...Object.fromEntries(factory.params.map((p) => [p.name, p.default])), ...row.params };
    // The row's shortest violation decides which property its counterexample shows.
    const first = shortestProperty(factory, params);
    if (!first) continue;
    const c = counterexample(factory, params, first, true);
    if (!c) continue;
    const g = { name: fileNameFor(row.id), row, ...c };
    onRow?.(g);
    out.push(g);
  }
  return out;
}

function shortestProperty(factory: ModelFactory, params: ParamValues): string | undefined {
  const model = factory.create(params);
  const ids = [...model.invariants.map((i) => i.id)];
  let best: { id: string; len: number } | undefined;
  for (const id of ids) {
    const v = violationOf(factory, params, id).violation;
    if (v && (!best || v.path.length < best.len)) best = { id, len: v.path.length };
  }
  return best?.id ?? violationOf(factory, params, model.deadlock?.id ?? 'deadlock').violation?.property;
}
