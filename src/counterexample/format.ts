/**
 * The counterexample file: versioned JSON holding everything needed to
 * replay a violation exactly (model, every parameter, the initial state and
 * each step's action by its stable name) plus the readable trace. Steps are
 * matched by action name, not index, so adding actions to a model does not
 * invalidate saved traces.
 */
import { createHash } from 'node:crypto';
import { TOOL_VERSION } from '../render/report.ts';
import { formatChange } from '../render/diff.ts';
import type { TraceView } from '../render/trace.ts';
import type { ParamValues } from '../engine/model.ts';
import type { TraceKind } from '../engine/result.ts';

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
  /** A violation (state, step, deadlock) or a reachability witness (reach-state, reach-step). */
  readonly kind: TraceKind;
  readonly initial: number;
  readonly steps: readonly { readonly action: string; readonly agent: string; readonly label: string; readonly changes: readonly string[] }[];
  readonly explanation: string;
  /** The command that finds this counterexample again. */
  readonly command: string;
  /** The values that decide which branch the modelled code takes (ModelFactory.branches), for the header. */
  readonly branches?: Readonly<Record<string, string>>;
  /**
   * SHA-256 (first 16 hex digits) of the model, parameters, property, kind,
   * initial state and steps: replay refuses a file edited or cut after it was
   * written. Files written before it existed have none.
   */
  readonly digest?: string;
  readonly minimization?: {
    readonly from: Readonly<Record<string, number | boolean | string>>;
    readonly tried: readonly ShrinkAttempt[];
    /** The last round: the one-step-smaller configurations of the result, none of which violates (each holds, or was refused, invalid or cut short). */
    readonly final: readonly ShrinkAttempt[];
    /** Set when a bound (time-limit, max-memory, interrupted) stopped shrinking early: the result is the smallest found so far. */
    readonly stopped?: string;
  };
}

export class TraceFormatError extends Error {}

export const TRACE_KINDS: readonly TraceKind[] = ['state', 'step', 'deadlock', 'reach-state', 'reach-step'];

/** The digest of what replay depends on (see TraceFile.digest). */
export function traceDigest(f: Pick<TraceFile, 'model' | 'params' | 'property' | 'kind' | 'initial' | 'steps'>): string {
  const params = Object.keys(f.params)
    .sort()
    .map((k) => [k, f.params[k]]);
  const steps = f.steps.map((s) => [s.action, s.agent, s.label, s.changes]);
  const canonical = JSON.stringify([f.model, params, f.property, f.kind, f.initial, steps]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

export function toTraceFile(
  model: string,
  params: ParamValues,
  t: TraceView,
  command: string,
  minimization?: TraceFile['minimization'],
  branches?: Readonly<Record<string, string>>,
): TraceFile {
  const body = {
    model,
    params: { ...params },
    property: t.property,
    kind: t.kind,
    initial: t.initialIndex,
    steps: t.steps.map((s) => ({ action: s.name, agent: s.agent, label: s.label, changes: s.changes.map(formatChange) })),
  };
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    tool: `tlbcheck ${TOOL_VERSION}`,
    model: body.model,
    params: body.params,
    property: body.property,
    statement: t.statement,
    kind: body.kind,
    initial: body.initial,
    steps: body.steps,
    explanation: t.explanation,
    command,
    ...(branches && Object.keys(branches).length > 0 ? { branches: { ...branches } } : {}),
    digest: traceDigest(body),
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
  for (const k of ['model', 'property', 'kind', 'statement'] as const) need(typeof o[k] === 'string', `field '${k}' is missing or not a string`);
  need((TRACE_KINDS as readonly string[]).includes(o['kind'] as string), `field 'kind' must be one of ${TRACE_KINDS.join(', ')}, not ${show(o['kind'])}`);
  need(typeof o['params'] === 'object' && o['params'] !== null && !Array.isArray(o['params']), "field 'params' is missing or not an object");
  for (const [k, v] of Object.entries(o['params'] as Record<string, unknown>)) {
    need(typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string', `parameter ${show(k)} is not a number, boolean or string`);
  }
  need(Number.isInteger(o['initial']) && (o['initial'] as number) >= 0, "field 'initial' is missing or not a non-negative integer");
  need(Array.isArray(o['steps']), "field 'steps' is missing or not a list");
  (o['steps'] as unknown[]).forEach((s, i) => {
    need(typeof s === 'object' && s !== null && !Array.isArray(s), `step ${i + 1} is not an object`);
    const st = s as Record<string, unknown>;
    for (const k of ['action', 'agent', 'label'] as const) need(typeof st[k] === 'string', `step ${i + 1}: field '${k}' is missing or not a string`);
    need(Array.isArray(st['changes']) && (st['changes'] as unknown[]).every((c) => typeof c === 'string'), `step ${i + 1}: field 'changes' is missing or not a list of strings`);
  });
  need(o['digest'] === undefined || typeof o['digest'] === 'string', "field 'digest' is not a string");
  return o as unknown as TraceFile;
}

/** A value from the file for a message: JSON, cut when long. */
export function show(v: unknown): string {
  const t = JSON.stringify(v) ?? String(v);
  return t.length > 60 ? `${t.slice(0, 60)}... (${t.length} characters)` : t;
}
