/**
 * The counterexample file: versioned JSON holding everything needed to
 * replay a violation exactly (model, every parameter, the initial state and
 * each step's action by its stable name) plus the readable trace. Steps are
 * matched by action name, not index, so adding actions to a model does not
 * invalidate saved traces.
 */
import { TOOL_VERSION } from '../render/report.ts';
import { formatChange } from '../render/diff.ts';
import type { TraceView } from '../render/trace.ts';
import type { ParamValues } from '../engine/model.ts';

export const TRACE_FORMAT = 'tlbcheck-trace';
export const TRACE_VERSION = 1;

export interface ShrinkAttempt {
  readonly change: string;
  /** refused: the model keeps that value fixed (it decides which branch the modelled code takes). */
  readonly outcome: 'violates' | 'holds' | 'invalid' | 'incomplete' | 'refused';
}

export interface TraceFile {
  readonly format: typeof TRACE_FORMAT;
  readonly version: typeof TRACE_VERSION;
  readonly tool: string;
  readonly model: string;
  readonly params: Readonly<Record<string, number | boolean | string>>;
  readonly property: string;
  readonly statement: string;
  readonly kind: 'state' | 'step' | 'deadlock';
  readonly initial: number;
  readonly steps: readonly { readonly action: string; readonly agent: string; readonly label: string; readonly changes: readonly string[] }[];
  readonly explanation: string;
  /** The command that finds this counterexample again. */
  readonly command: string;
  /** The values that decide which branch the modelled code takes (ModelFactory.branches), for the header. */
  readonly branches?: Readonly<Record<string, string>>;
  readonly minimization?: {
    readonly from: Readonly<Record<string, number | boolean | string>>;
    readonly tried: readonly ShrinkAttempt[];
    /** One-step-smaller configurations of the result, none of which violates. */
    readonly final: readonly ShrinkAttempt[];
  };
}

export class TraceFormatError extends Error {}

export function toTraceFile(
  model: string,
  params: ParamValues,
  t: TraceView,
  command: string,
  minimization?: TraceFile['minimization'],
  branches?: Readonly<Record<string, string>>,
): TraceFile {
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    tool: `tlbcheck ${TOOL_VERSION}`,
    model,
    params: { ...params },
    property: t.property,
    statement: t.statement,
    kind: t.kind,
    initial: t.initialIndex,
    steps: t.steps.map((s) => ({ action: s.name, agent: s.agent, label: s.label, changes: s.changes.map(formatChange) })),
    explanation: t.explanation,
    command,
    ...(branches && Object.keys(branches).length > 0 ? { branches: { ...branches } } : {}),
    ...(minimization ? { minimization } : {}),
  };
}

function need(cond: boolean, msg: string): void {
  if (!cond) throw new TraceFormatError(msg);
}

/** Parses and shape-checks a trace file; every problem is one line. */
export function parseTraceFile(text: string): TraceFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TraceFormatError(`not valid JSON (${(e as Error).message.split('\n')[0]}): truncated or corrupted file?`);
  }
  need(typeof raw === 'object' && raw !== null && !Array.isArray(raw), 'not a tlbcheck trace: the top level is not an object');
  const o = raw as Record<string, unknown>;
  need(o['format'] === TRACE_FORMAT, `not a tlbcheck trace (format is ${JSON.stringify(o['format'])}, expected "${TRACE_FORMAT}")`);
  need(o['version'] === TRACE_VERSION, `unsupported trace format version ${JSON.stringify(o['version'])} (this tlbcheck reads version ${TRACE_VERSION})`);
  for (const k of ['model', 'property', 'kind'] as const) need(typeof o[k] === 'string', `field '${k}' is missing or not a string`);
  need(['state', 'step', 'deadlock'].includes(o['kind'] as string), `field 'kind' must be state, step or deadlock`);
  need(typeof o['params'] === 'object' && o['params'] !== null && !Array.isArray(o['params']), "field 'params' is missing or not an object");
  need(Number.isInteger(o['initial']) && (o['initial'] as number) >= 0, "field 'initial' is missing or not a non-negative integer");
  need(Array.isArray(o['steps']), "field 'steps' is missing or not a list");
  (o['steps'] as unknown[]).forEach((s, i) => {
    need(typeof s === 'object' && s !== null && typeof (s as Record<string, unknown>)['action'] === 'string', `step ${i + 1} has no action name`);
  });
  return o as unknown as TraceFile;
}
