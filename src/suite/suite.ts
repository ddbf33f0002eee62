/**
 * A suite is a list of named checks with expected outcomes: the regression
 * matrix users run in CI. Rows are plain data (model id, parameters,
 * options), so they can be shipped to worker threads as they are.
 */
import type { ParamValues } from '../engine/model.ts';
import type { Bound, SearchOptions, Verdict } from '../engine/result.ts';

export interface Expectation {
  readonly verdict: Verdict;
  /** For violated rows: exactly the set of properties violated (with --all). */
  readonly violated?: readonly string[];
  /**
   * Pinned values. For holding rows: every metric's exact worst case (a
   * difference is a mismatch). For violating rows: the length of the
   * shortest counterexample of any property.
   */
  readonly metrics?: Readonly<Record<string, number>>;
  readonly length?: number;
  /** Reachability properties: the shortest witness length, or null when no such state is reachable. */
  readonly reach?: Readonly<Record<string, number | null>>;
}

export interface SuiteRow {
  readonly id: string;
  readonly model: string;
  readonly params: ParamValues;
  /** Display columns chosen by the suite (for example backend, path, hardware). */
  readonly columns: Readonly<Record<string, string>>;
  readonly expect: Expectation;
  /** Where the expectation comes from (for example a DOMAIN.md line). */
  readonly ref: string;
  readonly note?: string;
}

export interface Suite {
  readonly id: string;
  readonly title: string;
  /** Names of the display columns, in order. */
  readonly columns: readonly string[];
  /** Model metrics shown for holding rows: [metric id, header]. */
  readonly metrics: readonly (readonly [string, string])[];
  /** Search options every row runs with. */
  readonly options: SearchOptions;
  readonly rows: readonly SuiteRow[];
  /** The short tag of a property in the table (the TLB suite shows DOMAIN's invariant numbers); the id by default. */
  readonly propertyTag?: (id: string) => string;
}

/**
 * ok: as expected. mismatch: a definite difference (a verdict, a violated
 * set, a pinned number), even from a search cut short when what it did find
 * already contradicts the expectation. incomplete: a bound cut the row short
 * before it could be compared. not-run: the command stopped before the row.
 */
export type RowStatus = 'ok' | 'mismatch' | 'incomplete' | 'not-run';

export interface RowOutcome {
  readonly row: SuiteRow;
  readonly verdict: Verdict;
  /** The bound that cut the row's search short, if any. */
  readonly bound: Bound | null;
  /** True when every reachable state was visited. */
  readonly complete: boolean;
  readonly violated: readonly string[];
  /** Length of the shortest counterexample (any property), if violated. */
  readonly length: number | null;
  readonly firstViolation: string | null;
  readonly states: number;
  readonly transitions: number;
  readonly seconds: number;
  /** Metric maxima over the states visited: exact when complete, lower bounds otherwise. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Reachability properties: shortest witness length, null when not found. */
  readonly reach: Readonly<Record<string, number | null>>;
  readonly status: RowStatus;
  /** status === 'ok'. */
  readonly matches: boolean;
  /** Why it does not match, or what is missing, in one line. */
  readonly mismatch?: string;
  /** For violated rows (when minimizing): the first property's shortest trace in the smallest configuration. */
  readonly minimized?: {
    readonly property: string;
    readonly length: number;
    readonly changes: readonly string[];
    readonly command: string;
    /** Set when a bound stopped the shrinking: the configuration is the smallest found so far. */
    readonly stopped?: string;
  };
}

export interface Observed {
  readonly verdict: Verdict;
  readonly complete: boolean;
  readonly bound: Bound | null;
  readonly violated: readonly string[];
  readonly length: number | null;
  readonly metrics: Readonly<Record<string, number>>;
  readonly reach: Readonly<Record<string, number | null>>;
}

const sorted = (xs: readonly string[]): string => [...xs].sort().join(', ');

/** Compares what a row's search found with the row's expectation. */
export function compare(row: SuiteRow, o: Observed): { status: RowStatus; matches: boolean; mismatch?: string } {
  const e = row.expect;
  const bad = (mismatch: string) => ({ status: 'mismatch' as const, matches: false, mismatch });
  // Definite differences first: what was found is real even if the search was cut short.
  if (e.verdict === 'holds' && o.violated.length > 0) return bad(`expected holds, got violated (${sorted(o.violated)})`);
  if (e.verdict === 'violated' && e.violated) {
    const extra = o.violated.filter((p) => !e.violated!.includes(p));
    if (extra.length > 0) return bad(`expected violations {${sorted(e.violated)}}, got {${sorted(o.violated)}}`);
  }
  for (const [id, want] of Object.entries(e.metrics ?? {})) {
    const got = o.metrics[id];
    // A partial search's maximum is a lower bound: already above the pinned value is a definite difference.
    if (got !== undefined && got > want) return bad(`expected ${id} ${want}, got ${o.complete ? '' : 'at least '}${got}`);
  }
  for (const [id, want] of Object.entries(e.reach ?? {})) {
    const got = o.reach[id];
    if (want === null && got !== null && got !== undefined) return bad(`expected ${id} unreachable, reached in ${got} steps`);
  }
  // Cut short (even with violations found, the set may be missing some): not a mismatch, and not a match.
  if (!o.complete) return { status: 'incomplete', matches: false, mismatch: `cut short (${o.bound ?? 'incomplete'}) before it could be compared` };
  if (o.verdict !== e.verdict) return bad(`expected ${e.verdict}, got ${o.verdict}`);
  if (o.verdict === 'violated' && e.violated && sorted(e.violated) !== sorted(o.violated)) {
    return bad(`expected violations {${sorted(e.violated)}}, got {${sorted(o.violated)}}`);
  }
  if (o.verdict === 'violated' && e.length !== undefined && o.length !== e.length) return bad(`expected a shortest counterexample of ${e.length} steps, got ${o.length}`);
  if (o.verdict === 'holds') {
    for (const [id, want] of Object.entries(e.metrics ?? {})) {
      const got = o.metrics[id];
      if (got !== want) return bad(`expected ${id} ${want}, got ${got ?? 'no such metric'}`);
    }
  }
  for (const [id, want] of Object.entries(e.reach ?? {})) {
    const got = o.reach[id] ?? null;
    if (got !== want) return bad(want === null ? `expected ${id} unreachable, reached in ${got} steps` : got === null ? `expected ${id} reachable in ${want} steps, never reached` : `expected ${id} reachable in ${want} steps, got ${got}`);
  }
  return { status: 'ok', matches: true };
}

/** Rows selected by --only (id contains the text) and --from (that row and the ones after it). */
export function selectRows(rows: readonly SuiteRow[], only?: string, from?: string): SuiteRow[] {
  let out = [...rows];
  if (from !== undefined) {
    const i = out.findIndex((r) => r.id === from);
    if (i < 0) throw new RangeError(`no row ${from}`);
    out = out.slice(i);
  }
  if (only !== undefined) out = out.filter((r) => r.id.includes(only));
  return out;
}
