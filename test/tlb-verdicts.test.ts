/**
 * DOMAIN §6, row by row, and the whole default matrix against matrix.json.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/check.ts';
import { TLB_PROPERTIES } from '../properties/index.ts';
import { tlbFactory } from '../models/tlb/index.ts';
import { entryId, entryParams, loadMatrix, tlbMatrix } from '../models/tlb/matrix.ts';
import { runSuite, runSuiteParallel } from '../src/suite/run.ts';
import { findModel, MODEL_REGISTRY } from '../models/index.ts';
import { BACKENDS as ALL_BACKENDS } from '../models/tlb/arch/index.ts';
import { PATHS as ALL_PATHS } from '../models/tlb/paths.ts';

/** The 2011 backends and paths (DOMAIN.md); today's have their own rows. */
const BACKENDS = ALL_BACKENDS.filter((b) => b.kernel === '2011');
const PATHS = ALL_PATHS.filter((p) => p.listed && p.kernels.includes('2011'));

const file = loadMatrix();
const numberOf = new Map<string, number>(TLB_PROPERTIES.map((p) => [p.id, p.number]));

describe('DOMAIN §6 verdicts', () => {
  const six = file.rows.filter((e) => e.ref.startsWith('DOMAIN') && e.ref.includes('§6'));
  it('covers all 15 lines of the §6 table', () => {
    expect(new Set(six.map((e) => e.ref.split(' ')[0])).size).toBe(15);
  });
  for (const e of six) {
    it(`${entryId(e)}: ${e.expect}${e.violates ? ` (${e.violates.join(', ')})` : ''} — ${e.ref}`, () => {
      const r = check(tlbFactory.create(entryParams(file, e)), { all: true });
      expect(r.complete).toBe(true);
      expect(r.verdict).toBe(e.expect);
      if (e.expect === 'violated') {
        expect(new Set(r.violations.map((v) => v.property))).toEqual(new Set(e.violates));
        if (e.domainAnyOf) {
          // DOMAIN's "violates N": the shortest violation is one of those invariants.
          expect(e.domainAnyOf).toContain(numberOf.get(r.violations[0]!.property));
        }
      }
    });
  }
});

describe('the default matrix', () => {
  it('every row matches matrix.json (every 2011 backend x path is present)', async () => {
    const suite = tlbMatrix(file);
    const outcomes = await runSuiteParallel(suite, MODEL_REGISTRY, 2);
    const bad = outcomes.filter((o) => !o.matches).map((o) => `${o.row.id}: ${o.mismatch}`);
    expect(bad).toEqual([]);
    const old = new Set(BACKENDS.map((b) => b.id));
    const pairs = new Set(suite.rows.filter((r) => old.has(r.columns['backend']!)).map((r) => `${r.columns['backend']}/${r.columns['path']}`));
    expect(pairs.size).toBe(BACKENDS.length * PATHS.length);
  });

  it('every holding row pins its cost and every violating row its shortest length', () => {
    for (const e of file.rows) {
      if (e.expect === 'holds') expect(e.cost, entryId(e)).toEqual(expect.objectContaining({ ipis: expect.any(Number), fullFlushes: expect.any(Number), perPageInvalidates: expect.any(Number) }));
      else expect(e.length, entryId(e)).toEqual(expect.any(Number));
    }
  });

  it('a pinned cost or length that differs is a mismatch, saying which number', () => {
    const holds = file.rows.find((e) => e.expect === 'holds' && e.cost)!;
    const viol = file.rows.find((e) => e.expect === 'violated' && e.length !== undefined)!;
    const suite = tlbMatrix({
      ...file,
      rows: [
        { ...holds, cost: { ...holds.cost!, ipis: holds.cost!['ipis']! + 1 } },
        { ...viol, length: viol.length! + 1 },
      ],
    });
    const [a, b] = runSuite(suite, findModel);
    expect(a!.status).toBe('mismatch');
    expect(a!.mismatch).toBe(`expected ipis ${holds.cost!['ipis']! + 1}, got ${holds.cost!['ipis']}`);
    expect(b!.status).toBe('mismatch');
    expect(b!.mismatch).toBe(`expected a shortest counterexample of ${viol.length! + 1} steps, got ${viol.length}`);
  });

  it('a wrong expectation is reported as a mismatch', () => {
    const suite = tlbMatrix({ ...file, rows: [{ ...file.rows[0]!, expect: 'holds', violates: undefined }] });
    const [o] = runSuite(suite, findModel);
    expect(o!.matches).toBe(false);
    expect(o!.mismatch).toContain('expected holds, got violated');
  });
});
