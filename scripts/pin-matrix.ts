/**
 * Pins the current numbers of the default matrix into models/tlb/matrix.json:
 * the worst-case cost of every holding row (`cost`) and the shortest
 * counterexample of every violating row (`length`). Run it after a deliberate
 * model change, review the diff, commit. Rows that do not match their
 * verdict are left alone (fix the verdict first). Usage: npm run pin-matrix
 */
import { writeFileSync } from 'node:fs';
import { findModel } from '../models/index.ts';
import { loadMatrix, MATRIX_FILE, tlbMatrix, type MatrixEntry } from '../models/tlb/matrix.ts';
import { runSuite } from '../src/suite/run.ts';

/** JSON as the file is written: two-space indent, non-ASCII escaped (so § stays \u00a7). */
function serialize(x: unknown): string {
  return JSON.stringify(x, null, 2).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const file = loadMatrix();
// Compare verdicts only: the old pins must not hide the new numbers.
const bare = { ...file, rows: file.rows.map(({ cost: _c, length: _l, ...e }) => e) };
const suite = tlbMatrix(bare);
const outcomes = runSuite(suite, findModel, (o, i) => process.stderr.write(`\r[${i + 1}/${suite.rows.length}] ${o.row.id}\x1b[K`), {}, { minimize: false });
process.stderr.write('\n');
let changed = 0;
const rows: MatrixEntry[] = file.rows.map((e, i) => {
  const o = outcomes[i]!;
  const { cost: _c, length: _l, ...rest } = e;
  if (o.status !== 'ok') {
    process.stderr.write(`${o.row.id}: ${o.mismatch} (left as it was)\n`);
    return e;
  }
  const next: MatrixEntry =
    o.verdict === 'holds'
      ? { ...rest, cost: Object.fromEntries(suite.metrics.map(([id]) => [id, o.metrics[id] ?? 0])) }
      : { ...rest, length: o.length ?? 0 };
  if (JSON.stringify(next) !== JSON.stringify(e)) changed++;
  return next;
});
writeFileSync(MATRIX_FILE, `${serialize({ ...file, rows })}\n`);
process.stderr.write(`${changed} of ${rows.length} rows changed in ${MATRIX_FILE.pathname}\n`);
