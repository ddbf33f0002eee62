/** The matrix as a table (text) and as a versioned JSON document. */
import type { RowOutcome, Suite } from '../suite/suite.ts';
import { formatInt, JSON_FORMAT_VERSION, TOOL_VERSION } from './report.ts';

export interface MatrixDocument {
  version: number;
  tool: string;
  suite: string;
  rows: {
    id: string;
    columns: Record<string, string>;
    params: Record<string, string | number | boolean>;
    expected: { verdict: string; violated: string[] | null };
    verdict: string;
    violated: string[];
    firstViolation: string | null;
    length: number | null;
    states: number;
    transitions: number;
    seconds: number;
    cost: Record<string, number> | null;
    matches: boolean;
    mismatch: string | null;
    minimized: { property: string; length: number; changes: string[]; command: string } | null;
    ref: string;
  }[];
  summary: { rows: number; matched: number; mismatched: number; seconds: number };
}

export function matrixDocument(suite: Suite, outcomes: readonly RowOutcome[], wallSeconds: number): MatrixDocument {
  const rows = outcomes.map((o) => ({
    id: o.row.id,
    columns: { ...o.row.columns },
    ...o.row.columns,
    params: { ...o.row.params },
    expected: { verdict: o.row.expect.verdict, violated: o.row.expect.violated ? [...o.row.expect.violated] : null },
    verdict: o.verdict,
    violated: [...o.violated],
    firstViolation: o.firstViolation,
    length: o.length,
    states: o.states,
    transitions: o.transitions,
    seconds: Math.round(o.seconds * 1000) / 1000,
    cost: o.verdict === 'holds' ? Object.fromEntries(suite.metrics.map(([id]) => [id, o.metrics[id] ?? 0])) : null,
    matches: o.matches,
    mismatch: o.mismatch ?? null,
    minimized: o.minimized ? { ...o.minimized, changes: [...o.minimized.changes] } : null,
    ref: o.row.ref,
  }));
  const matched = outcomes.filter((o) => o.matches).length;
  return {
    version: JSON_FORMAT_VERSION,
    tool: `tlbcheck ${TOOL_VERSION}`,
    suite: suite.id,
    rows,
    summary: { rows: outcomes.length, matched, mismatched: outcomes.length - matched, seconds: Math.round(wallSeconds * 100) / 100 },
  };
}

/**
 * One line per row. `shortName` turns a property id into the short tag shown
 * in the table (DOMAIN's invariant numbers for the TLB suite).
 */
export function formatMatrix(suite: Suite, outcomes: readonly RowOutcome[], wallSeconds: number, shortName: (id: string) => string): string {
  const head = [...suite.columns.map((c) => c.toUpperCase()), 'VERDICT', 'VIOLATED', 'LEN', 'MIN', 'STATES', 'SEC', ...suite.metrics.map(([, h]) => h.toUpperCase()), 'EXPECTED'];
  const body = outcomes.map((o) => [
    ...suite.columns.map((c) => o.row.columns[c] ?? ''),
    o.verdict,
    o.violated.map(shortName).join(','),
    o.length === null ? '' : String(o.length),
    o.minimized ? String(o.minimized.length) : '',
    formatInt(o.states),
    o.seconds.toFixed(2),
    ...suite.metrics.map(([id]) => (o.verdict === 'holds' ? String(o.metrics[id] ?? 0) : '')),
    o.matches ? 'ok' : `MISMATCH: ${o.mismatch}`,
  ]);
  const numeric = new Set([head.indexOf('LEN'), head.indexOf('MIN'), head.indexOf('STATES'), head.indexOf('SEC'), ...suite.metrics.map((_, i) => head.length - 1 - suite.metrics.length + i)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (i === head.length - 1 ? 2 : r[i]!.length))));
  const fmt = (r: string[]): string =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const matched = outcomes.filter((o) => o.matches).length;
  const lines = [fmt(head), ...body.map(fmt)];
  lines.push('');
  lines.push(
    `${outcomes.length} rows, ${matched} as expected, ${outcomes.length - matched} mismatched; ${formatInt(outcomes.reduce((a, o) => a + o.states, 0))} states in ${wallSeconds.toFixed(1)} s`,
  );
  return lines.join('\n');
}
