/**
 * A suite is a list of named checks with expected outcomes: the regression
 * matrix users run in CI. Rows are plain data (model id, parameters,
 * options), so they can be shipped to worker threads as they are.
 */
import type { ParamValues } from '../engine/model.ts';
import type { SearchOptions, Verdict } from '../engine/result.ts';

export interface Expectation {
  readonly verdict: Verdict;
  /** For violated rows: exactly the set of properties violated (with --all). */
  readonly violated?: readonly string[];
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
}

export interface RowOutcome {
  readonly row: SuiteRow;
  readonly verdict: Verdict;
  readonly violated: readonly string[];
  /** Length of the shortest counterexample (any property), if violated. */
  readonly length: number | null;
  readonly firstViolation: string | null;
  readonly states: number;
  readonly transitions: number;
  readonly seconds: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly matches: boolean;
  /** Why it does not match, in one line. */
  readonly mismatch?: string;
  /** For violated rows (when minimizing): the first property's shortest trace in the smallest configuration. */
  readonly minimized?: { readonly property: string; readonly length: number; readonly changes: readonly string[]; readonly command: string };
}

export function compare(row: SuiteRow, verdict: Verdict, violated: readonly string[]): { matches: boolean; mismatch?: string } {
  if (verdict !== row.expect.verdict) return { matches: false, mismatch: `expected ${row.expect.verdict}, got ${verdict}` };
  if (verdict === 'violated' && row.expect.violated) {
    const want = [...row.expect.violated].sort();
    const got = [...violated].sort();
    if (want.join(',') !== got.join(',')) return { matches: false, mismatch: `expected violations {${want.join(', ')}}, got {${got.join(', ')}}` };
  }
  return { matches: true };
}
