/**
 * Turning a search result into the versioned JSON document and into the
 * console summary. Pure functions: no I/O, no exit codes.
 */
import type { Model } from '../engine/model.ts';
import type { SearchResult, SearchStats } from '../engine/result.ts';
import { COLLISION_WARNING } from '../engine/fingerprint.ts';
import { formatChange } from './diff.ts';
import { renderTrace } from './text-trace.ts';
import { traceView, witnessView, type TraceView } from './trace.ts';

export const JSON_FORMAT_VERSION = 1;
export const TOOL_VERSION = '0.1.0';

export type Config = Record<string, string | number | boolean>;

export interface ResultDocument {
  version: number;
  tool: string;
  model: string;
  config: Config;
  verdict: SearchResult['verdict'];
  bound: string | null;
  complete: boolean;
  /** The engine's statistics, rounded for display. */
  stats: SearchStats;
  /** Metric maxima over the states visited: exact when the search was complete, lower bounds otherwise. */
  metrics: Record<string, number>;
  metricsExact: boolean;
  /**
   * One entry per reachability property: reached (with the witness's length),
   * unreachable (a complete search never met it: no such state exists), or
   * unknown (the search was cut short before meeting it). Never a violation.
   */
  reachability: { property: string; statement: string; status: 'reached' | 'unreachable' | 'unknown'; length: number | null }[];
  /** The witness of every reached reachability property. */
  witnesses: {
    property: string;
    statement: string;
    kind: string;
    length: number;
    initial: number;
    trace: { agent: string; label: string; action: number; changes: string[] }[];
  }[];
  violations: {
    property: string;
    statement: string;
    kind: string;
    length: number;
    initial: number;
    trace: { agent: string; label: string; action: number; changes: string[] }[];
  }[];
}

export function resultDocument(model: Model, modelId: string, config: Config, r: SearchResult, traces?: TraceView[], witnessTraces?: TraceView[]): ResultDocument {
  const views = traces ?? r.violations.map((v) => traceView(model, v));
  const wviews = witnessTraces ?? r.witnesses.map((w) => witnessView(model, w));
  const s = r.stats;
  const statement = (id: string): string => model.sometimes?.find((x) => x.id === id)?.statement ?? '';
  const toDoc = (t: TraceView) => ({
    property: t.property,
    statement: t.statement,
    kind: t.kind,
    length: t.steps.length,
    initial: t.initialIndex,
    trace: t.steps.map((st) => ({ agent: st.agent, label: st.label, action: st.action, changes: st.changes.map(formatChange) })),
  });
  return {
    version: JSON_FORMAT_VERSION,
    tool: `tlbcheck ${TOOL_VERSION}`,
    model: modelId,
    config,
    verdict: r.verdict,
    bound: r.bound ?? null,
    complete: r.complete,
    stats: {
      states: s.states,
      transitions: s.transitions,
      depth: s.depth,
      seconds: round(s.seconds, 3),
      statesPerSecond: Math.round(s.statesPerSecond),
      bytesPerState: round(s.bytesPerState, 1),
      peakFrontier: s.peakFrontier,
      peakRssBytes: s.peakRssBytes,
      collisionProbability: s.collisionProbability,
      ...(s.fingerprintBits !== undefined ? { fingerprintBits: s.fingerprintBits } : {}),
      ...(s.frontierBytes !== undefined ? { frontierBytes: s.frontierBytes } : {}),
      ...(s.spilledStates ? { spilledStates: s.spilledStates } : {}),
      ...(s.reducedStates !== undefined ? { reducedStates: s.reducedStates } : {}),
      ...(s.startupSeconds !== undefined ? { startupSeconds: round(s.startupSeconds, 3) } : {}),
    },
    metrics: { ...r.metrics },
    metricsExact: r.complete,
    reachability: [
      ...r.witnesses.map((w) => ({ property: w.property, statement: w.statement, status: 'reached' as const, length: w.path.length })),
      ...r.unreached.map((id) => ({ property: id, statement: statement(id), status: r.complete ? ('unreachable' as const) : ('unknown' as const), length: null })),
    ],
    witnesses: wviews.map(toDoc),
    violations: views.map(toDoc),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `n` and a noun, plural unless n is 1 ("1 row", "3 rows"). */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function formatRate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(0);
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}

const BOUND_TEXT: Record<string, string> = {
  'max-states': 'the --max-states bound was reached',
  'max-depth': 'states beyond --max-depth were not explored',
  'time-limit': 'the --time-limit was reached',
  'max-memory': 'the --max-memory bound was reached',
  interrupted: 'the run was interrupted (SIGINT or SIGTERM)',
  'worker-lost': 'part of the partitioned search was lost (a worker or its Redis), and with it states the search needed',
};

export function boundText(bound: string | null | undefined): string {
  return BOUND_TEXT[bound ?? ''] ?? 'the search was cut short';
}

/** Plain-text summary of a run, with every trace. */
export function formatReport(doc: ResultDocument, traces: TraceView[], color = false, witnessTraces: TraceView[] = []): string {
  const lines: string[] = [];
  const cfg = Object.entries(doc.config)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  lines.push(`model       ${doc.model}${cfg ? `  (${cfg})` : ''}`);
  let verdict = doc.verdict.toUpperCase();
  if (doc.verdict === 'violated') verdict += `: ${doc.violations.map((v) => v.property).join(', ')}`;
  if (doc.verdict === 'incomplete') verdict += ` (${boundText(doc.bound)}; nothing is proved)`;
  else if (doc.bound) verdict += ` (then ${boundText(doc.bound)}: other properties may be violated too)`;
  lines.push(`verdict     ${verdict}`);
  const s = doc.stats;
  lines.push(
    `states      ${formatInt(s.states)} distinct, ${formatInt(s.transitions)} transitions, depth ${s.depth}${doc.complete ? '' : ' (search not complete)'}`,
  );
  lines.push(
    `time        ${s.seconds.toFixed(2)} s${s.startupSeconds !== undefined ? ` (+${s.startupSeconds.toFixed(2)} s starting workers)` : ''}, ${formatRate(s.statesPerSecond)} states/s, ${s.bytesPerState.toFixed(1)} bytes/state, peak RSS ${formatBytes(s.peakRssBytes)}`,
  );
  if (s.reducedStates !== undefined) lines.push(`reduction   ${formatInt(s.reducedStates)} states expanded with an ample set (partial-order reduction)`);
  lines.push(`collision   ${s.collisionProbability.toExponential(1)} (optimistic probability that a fingerprint collision hid a state${s.fingerprintBits === 128 ? ', 128-bit fingerprints' : ''})`);
  if (s.collisionProbability > COLLISION_WARNING) {
    lines.push(
      `warning     the collision estimate passes ${COLLISION_WARNING.toExponential(0)}: a state may have been missed` +
        (s.fingerprintBits === 128 ? '' : '; --fingerprint 128 makes it negligible (twice the visited set\'s memory)'),
    );
  }
  if (s.spilledStates) lines.push(`frontier    ${formatInt(s.spilledStates)} states spilled to disk (the frontier outgrew its memory share)`);
  const metrics = Object.entries(doc.metrics);
  if (metrics.length > 0) {
    if (doc.metricsExact) lines.push(`worst case  ${metrics.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    else lines.push(`worst case  at least ${metrics.map(([k, v]) => `${k} ${v}`).join(', ')} (lower bounds: the search was not complete)`);
  }
  for (const p of doc.reachability) {
    const what =
      p.status === 'reached'
        ? `reached in ${p.length} step${p.length === 1 ? '' : 's'}${doc.config['strategy'] === 'dfs' ? ' (depth-first: not necessarily shortest)' : ''}`
        : p.status === 'unreachable'
          ? 'UNREACHABLE: the search was complete and no such state exists'
          : 'not reached (unknown: the search was cut short)';
    lines.push(`sometimes   ${p.property}: ${what}`);
  }
  for (const t of witnessTraces) {
    lines.push('');
    lines.push(`witness of ${t.property} (${plural(t.steps.length, 'step')}):`);
    lines.push(renderTrace(t, { color }));
  }
  for (const t of traces) {
    lines.push('');
    lines.push(`trace (${plural(t.steps.length, 'step')}${t.kind === 'deadlock' ? ', then no agent can move' : ''}):`);
    lines.push(renderTrace(t, { color }));
  }
  return lines.join('\n');
}
