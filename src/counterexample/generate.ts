/**
 * Counterexamples for the violating rows of a suite: the shortest violation
 * of the row's first property, in the smallest configuration that still
 * violates it.
 */
import { budgetStop } from '../engine/budget.ts';
import type { ModelFactory, ParamValues } from '../engine/model.ts';
import type { Bound, SearchOptions, Violation } from '../engine/result.ts';
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

/**
 * Minimal counterexample for one violation of `property` from `params`
 * (shrinking when `shrink` is true). `options` carries the command's bounds
 * (deadline, memory, interrupt), which cover every search made here; `known`
 * is a shortest violation already found in `params`.
 */
export function counterexample(
  factory: ModelFactory,
  params: ParamValues,
  property: string,
  shrink: boolean,
  options: SearchOptions = {},
  known?: Violation,
  onAttempt?: (change: string, attempt: number) => void,
): { file: TraceFile; view: TraceView; stopped?: Bound } | undefined {
  let finalParams = params;
  let minimization: TraceFile['minimization'];
  let violation;
  let stopped: Bound | undefined;
  if (shrink && factory.shrink) {
    const m = minimize(factory, params, property, options, 200, known, onAttempt);
    if (!m) return undefined;
    finalParams = m.params;
    violation = m.violation;
    stopped = m.stopped;
    minimization = { from: { ...params }, tried: m.tried, final: m.final, ...(m.stopped ? { stopped: m.stopped } : {}) };
  } else {
    violation = known ?? violationOf(factory, params, property, options).violation;
    if (!violation) return undefined;
  }
  const model = factory.create(finalParams);
  const view = traceView(model, violation);
  return { file: toTraceFile(factory.id, finalParams, view, reproduceCommand(factory, finalParams), minimization, factory.branches?.(finalParams)), view, ...(stopped ? { stopped } : {}) };
}

/**
 * Counterexamples for the violating rows, in row order. Stops between rows
 * (and inside a row's searches) when the budget runs out: `stopped` then says
 * why and `next` is the first row not done, whose files were not written.
 */
export function generateForSuite(
  suite: Suite,
  find: (id: string) => ModelFactory | undefined,
  onRow?: (g: Generated) => void,
  budget: SearchOptions = {},
): { generated: Generated[]; stopped?: Bound; next?: string } {
  const out: Generated[] = [];
  for (const row of suite.rows) {
    if (row.expect.verdict !== 'violated') continue;
    const stop = budgetStop(budget);
    if (stop) return { generated: out, stopped: stop, next: row.id };
    const factory = find(row.model);
    if (!factory) throw new Error(`unknown model ${row.model}`);
    const params = { ...Object.fromEntries(factory.params.map((p) => [p.name, p.default])), ...row.params };
    // The row's shortest violation decides which property its counterexample shows.
    const first = shortestProperty(factory, params, budget);
    const c = first ? counterexample(factory, params, first, true, budget) : undefined;
    const late = budgetStop(budget);
    if (late || c?.stopped) return { generated: out, stopped: late ?? c!.stopped!, next: row.id };
    if (!c) continue;
    const g = { name: fileNameFor(row.id), row, file: c.file, view: c.view };
    onRow?.(g);
    out.push(g);
  }
  return { generated: out };
}

function shortestProperty(factory: ModelFactory, params: ParamValues, budget: SearchOptions): string | undefined {
  const model = factory.create(params);
  const ids = [...model.invariants.map((i) => i.id)];
  let best: { id: string; len: number } | undefined;
  for (const id of ids) {
    const v = violationOf(factory, params, id, budget).violation;
    if (v && (!best || v.path.length < best.len)) best = { id, len: v.path.length };
  }
  return best?.id ?? violationOf(factory, params, model.deadlock?.id ?? 'deadlock', budget).violation?.property;
}
