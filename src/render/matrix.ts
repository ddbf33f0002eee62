/** The matrix as a table (text) and as a versioned JSON document. */
import type { RowOutcome, Suite } from '../suite/suite.ts';
import { formatInt, JSON_FORMAT_VERSION, plural, TOOL_VERSION } from './report.ts';

export interface MatrixDocument {
  version: number;
  tool: string;
  suite: string;
  rows: {
    id: string;
    columns: Record<string, string>;
    params: Record<string, string | number | boolean>;
    expected: { verdict: string; violated: string[] | null; length: number | null; cost: Record<string, number> | null; reach: Record<string, number | null> | null };
    /** ok, mismatch, incomplete (a bound cut it short) or not-run (the command stopped before it). */
    status: string;
    verdict: string;
    bound: string | null;
    violated: string[];
    firstViolation: string | null;
    length: number | null;
    states: number;
    transitions: number;
    seconds: number;
    /** The worst-case cost of a complete holding row (exact); null otherwise. */
    cost: Record<string, number> | null;
    /** For a row cut short: the cost over the states it did visit, a lower bound of the worst case. */
    costLowerBound: Record<string, number> | null;
    reach: Record<string, number | null>;
    matches: boolean;
    mismatch: string | null;
    minimized: { property: string; length: number; changes: string[]; command: string; stopped: string | null } | null;
    /** Runs exactly this row again. */
    command: string;
    ref: string;
  }[];
  summary: { rows: number; matched: number; mismatched: number; incomplete: number; notRun: number; seconds: number };
}

/** `tlbcheck check --row ID`, quoted for the shell. */
export function rowCommand(id: string): string {
  return `tlbcheck check --row '${id.replace(/'/g, `'\\''`)}'`;
}

export function matrixDocument(suite: Suite, outcomes: readonly RowOutcome[], wallSeconds: number): MatrixDocument {
  const costOf = (o: RowOutcome) => Object.fromEntries(suite.metrics.map(([id]) => [id, o.metrics[id] ?? 0]));
  const rows = outcomes.map((o) => ({
    id: o.row.id,
    columns: { ...o.row.columns },
    ...o.row.columns,
    params: { ...o.row.params },
    expected: {
      verdict: o.row.expect.verdict,
      violated: o.row.expect.violated ? [...o.row.expect.violated] : null,
      length: o.row.expect.length ?? null,
      cost: o.row.expect.metrics ? { ...o.row.expect.metrics } : null,
      reach: o.row.expect.reach ? { ...o.row.expect.reach } : null,
    },
    status: o.status,
    verdict: o.verdict,
    bound: o.bound,
    violated: [...o.violated],
    firstViolation: o.firstViolation,
    length: o.length,
    states: o.states,
    transitions: o.transitions,
    seconds: Math.round(o.seconds * 1000) / 1000,
    cost: o.verdict === 'holds' && o.complete ? costOf(o) : null,
    costLowerBound: !o.complete && o.status !== 'not-run' && o.verdict !== 'violated' ? costOf(o) : null,
    reach: { ...o.reach },
    matches: o.matches,
    mismatch: o.mismatch ?? null,
    minimized: o.minimized ? { ...o.minimized, changes: [...o.minimized.changes], stopped: o.minimized.stopped ?? null } : null,
    command: rowCommand(o.row.id),
    ref: o.row.ref,
  }));
  const count = (s: string): number => outcomes.filter((o) => o.status === s).length;
  return {
    version: JSON_FORMAT_VERSION,
    tool: `tlbcheck ${TOOL_VERSION}`,
    suite: suite.id,
    rows,
    summary: { rows: outcomes.length, matched: count('ok'), mismatched: count('mismatch'), incomplete: count('incomplete'), notRun: count('not-run'), seconds: Math.round(wallSeconds * 100) / 100 },
  };
}

/**
 * One line per row. `shortName` turns a property id into the short tag shown
 * in the table (DOMAIN's invariant numbers for the TLB suite). Cost columns
 * show the exact worst case of complete holding rows, `>=N` (a lower bound)
 * on rows cut short, and nothing on violating rows.
 */
export function formatMatrix(suite: Suite, outcomes: readonly RowOutcome[], wallSeconds: number, shortName: (id: string) => string): string {
  const head = [...suite.columns.map((c) => c.toUpperCase()), 'VERDICT', 'VIOLATED', 'LEN', 'MIN', 'STATES', 'SEC', ...suite.metrics.map(([, h]) => h.toUpperCase()), 'EXPECTED'];
  const cost = (o: RowOutcome, id: string): string => {
    if (o.status === 'not-run' || o.verdict === 'violated') return '';
    if (o.complete) return o.verdict === 'holds' ? String(o.metrics[id] ?? 0) : '';
    return `>=${o.metrics[id] ?? 0}`;
  };
  const expected = (o: RowOutcome): string => {
    if (o.status === 'ok') return 'ok';
    if (o.status === 'mismatch') return `MISMATCH: ${o.mismatch}`;
    if (o.status === 'not-run') return 'not run (interrupted)';
    return `INCOMPLETE: ${o.mismatch ?? 'cut short'}`;
  };
  const body = outcomes.map((o) => [
    ...suite.columns.map((c) => o.row.columns[c] ?? ''),
    o.status === 'not-run' ? '-' : o.verdict,
    o.violated.map(shortName).join(','),
    o.length === null ? '' : String(o.length),
    o.minimized ? `${o.minimized.length}${o.minimized.stopped ? '?' : ''}` : '',
    o.status === 'not-run' ? '' : formatInt(o.states),
    o.status === 'not-run' ? '' : o.seconds.toFixed(2),
    ...suite.metrics.map(([id]) => cost(o, id)),
    expected(o),
  ]);
  const numeric = new Set([head.indexOf('LEN'), head.indexOf('MIN'), head.indexOf('STATES'), head.indexOf('SEC'), ...suite.metrics.map((_, i) => head.length - 1 - suite.metrics.length + i)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (i === head.length - 1 ? 2 : r[i]!.length))));
  const fmt = (r: string[]): string =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const count = (s: string): number => outcomes.filter((o) => o.status === s).length;
  const lines = [fmt(head), ...body.map(fmt)];
  lines.push('');
  const cut = count('incomplete');
  const notRun = count('not-run');
  lines.push(
    `${plural(outcomes.length, 'row')}, ${count('ok')} as expected, ${count('mismatch')} mismatched${cut ? `, ${cut} incomplete` : ''}${notRun ? `, ${notRun} not run` : ''}; ${formatInt(outcomes.reduce((a, o) => a + o.states, 0))} states in ${wallSeconds.toFixed(1)} s`,
  );
  if (outcomes.some((o) => o.minimized?.stopped)) lines.push('MIN ending in ?: minimization was cut short; the length is in the smallest configuration found so far.');
  if (suite.metrics.length > 0 && outcomes.some((o) => o.status === 'incomplete' && o.verdict !== 'violated')) lines.push('>=N: a lower bound (the row was cut short, so its worst case is at least this).');
  return lines.join('\n');
}
