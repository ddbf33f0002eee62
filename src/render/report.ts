/**
 * Turning a search result into the versioned JSON document and into the
 * console summary. Pure functions: no I/O, no exit codes.
 */
import type { Model } from '../engine/model.ts';
import type { SearchResult, SearchStats } from '../engine/result.ts';
import { formatChange } from './diff.ts';
import { renderTrace } from './text-trace.ts';
import { traceView, type TraceView } from './trace.ts';

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
  metrics: Record<string, number>;
  violations: {
    property: string;
    statement: string;
    kind: string;
    length: number;
    initial: number;
    trace: { agent: string; label: string; action: number; changes: string[] }[];
  }[];
}

export function resultDocument(model: Model, modelId: string, config: Config, r: SearchResult, traces?: TraceView[]): ResultDocument {
  const views = traces ?? r.violations.map((v) => traceView(model, v));
  const s = r.stats;
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
      ...(s.reducedStates !== undefined ? { reducedStates: s.reducedStates } : {}),
      ...(s.startupSeconds !== undefined ? { startupSeconds: round(s.startupSeconds, 3) } : {}),
    },
    metrics: { ...r.metrics },
    violations: views.map((t) => ({
      property: t.property,
      statement: t.statement,
      kind: t.kind,
      length: t.steps.length,
      initial: t.initialIndex,
      trace: t.steps.map((st) => ({ agent: st.agent, label: st.label, action: st.action, changes: st.changes.map(formatChange) })),
    })),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
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
};

/** Plain-text summary of a run, with every trace. */
export function formatReport(doc: ResultDocument, traces: TraceView[], color = false): string {
  const lines: string[] = [];
  const cfg = Object.entries(doc.config)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  lines.push(`model       ${doc.model}${cfg ? `  (${cfg})` : ''}`);
  let verdict = doc.verdict.toUpperCase();
  if (doc.verdict === 'violated') verdict += `: ${doc.violations.map((v) => v.property).join(', ')}`;
  if (doc.verdict === 'incomplete') verdict += ` (${BOUND_TEXT[doc.bound ?? ''] ?? 'the search was cut short'}; nothing is proved)`;
  lines.push(`verdict     ${verdict}`);
  const s = doc.stats;
  lines.push(
    `states      ${formatInt(s.states)} distinct, ${formatInt(s.transitions)} transitions, depth ${s.depth}${doc.complete ? '' : ' (search not complete)'}`,
  );
  lines.push(
    `time        ${s.seconds.toFixed(2)} s${s.startupSeconds !== undefined ? ` (+${s.startupSeconds.toFixed(2)} s starting workers)` : ''}, ${formatRate(s.statesPerSecond)} states/s, ${s.bytesPerState.toFixed(1)} bytes/state, peak RSS ${formatBytes(s.peakRssBytes)}`,
  );
  if (s.reducedStates !== undefined) lines.push(`reduction   ${formatInt(s.reducedStates)} states expanded with an ample set (partial-order reduction)`);
  lines.push(`collision   ${s.collisionProbability.toExponential(1)} (optimistic probability that a fingerprint collision hid a state)`);
  const metrics = Object.entries(doc.metrics);
  if (metrics.length > 0) lines.push(`worst case  ${metrics.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const t of traces) {
    lines.push('');
    lines.push(`trace (${t.steps.length} step${t.steps.length === 1 ? '' : 's'}${t.kind === 'deadlock' ? ', then no agent can move' : ''}):`);
    lines.push(renderTrace(t, { color }));
  }
  return lines.join('\n');
}
