/**
 * The default check matrix: every backend x path at small sizes, plus the
 * configurations DOMAIN §6 names. Expectations live in matrix.json, each row
 * with the DOMAIN.md line it comes from; this file only turns them into a
 * suite the engine can run.
 */
import { readFileSync } from 'node:fs';
import type { ParamValues } from '../../src/engine/model.ts';
import type { Verdict } from '../../src/engine/result.ts';
import type { Suite, SuiteRow } from '../../src/suite/suite.ts';
import { TLB_PROPERTIES } from '../../properties/index.ts';
import { findBackend } from './arch/index.ts';
import { resolveConfig, TLB_PARAMS, type TlbConfig } from './config.ts';

export interface MatrixEntry {
  readonly backend: string;
  /** The path cpu0 runs, or for a row of several agents a label of them (e.g. `munmap+madvise_dontneed`). */
  readonly path: string;
  /** The kernel agents (--run), for rows of today's kernel. */
  readonly run?: string;
  /** Parameters beyond the matrix's base sizes. */
  readonly params?: Readonly<Record<string, number | boolean | string>>;
  readonly expect: Verdict;
  /** Property ids violated (with --all), for violated rows. */
  readonly violates?: readonly string[];
  /** DOMAIN §6 "violates N" numbers: the shortest violation must be one of them. */
  readonly domainAnyOf?: readonly number[];
  /** DOMAIN.md line the expectation comes from, e.g. "DOMAIN.md:154 (§6)". */
  readonly ref: string;
  readonly note?: string;
  /** Pinned (scripts/pin-matrix.ts): the exact worst-case cost of a holding row, the shortest counterexample of a violating one. */
  readonly cost?: Readonly<Record<string, number>>;
  readonly length?: number;
}

export interface MatrixFile {
  readonly version: 1;
  readonly base: Readonly<Record<string, number | boolean | string>>;
  readonly rows: readonly MatrixEntry[];
}

export const MATRIX_FILE = new URL('./matrix.json', import.meta.url);

export function loadMatrix(): MatrixFile {
  return JSON.parse(readFileSync(MATRIX_FILE, 'utf8')) as MatrixFile;
}

export function entryId(e: MatrixEntry): string {
  const extra = Object.entries(e.params ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
  return `${e.backend}/${e.path}${extra ? `[${extra}]` : ''}`;
}

export function entryParams(file: MatrixFile, e: MatrixEntry): ParamValues {
  const defaults = Object.fromEntries(TLB_PARAMS.map((p) => [p.name, p.default]));
  if (e.run) return { ...defaults, ...file.base, backend: e.backend, path: 'auto', run: e.run, ...(e.params ?? {}) };
  return { ...defaults, ...file.base, backend: e.backend, path: e.path, ...(e.params ?? {}) };
}

/** Short description of the hardware and agents a row runs with. */
export function hardwareLabel(c: TlbConfig): string {
  const parts = [c.hw.tlb === 'ipi' ? 'ipi' : 'bcast'];
  if (c.hw.walkCache) parts.push('walkcache');
  if (c.hw.icache === 'incoherent') parts.push('incoh-icache');
  if (c.gup > 0) parts.push(`gup:${c.gupRef === 'get_page' ? 'get_page' : 'spec'}`);
  if (c.walker !== 'all') parts.push(`walker:${c.walker}`);
  if (c.backend.kernel === 'v6') {
    const base = findBackend(c.backend.id);
    if (base && base.kernel === 'v6') {
      for (const [k, v] of Object.entries(c.backend.kconfig)) {
        if (base.kconfig[k as keyof typeof base.kconfig] !== v) parts.push(`${v ? '' : 'no-'}${k.replace(/^MMU_GATHER_|^ARCH_WANT_/, '')}`);
      }
    }
  }
  if (c.switching > 0) parts.push(`switch:${c.switching}`);
  if (c.span > 0) parts.push(`span:${c.span}`);
  if (c.batch !== Number.POSITIVE_INFINITY) parts.push(`batch:${c.batch}`);
  for (const w of c.without) parts.push(`without:${w}`);
  return parts.join(' ');
}

const numberOf = new Map<string, number>(TLB_PROPERTIES.map((p) => [p.id, p.number]));

export function propertyNumbers(ids: readonly string[]): string {
  return ids.map((id) => String(numberOf.get(id) ?? id)).join(',');
}

export function tlbMatrix(file: MatrixFile = loadMatrix()): Suite {
  const rows: SuiteRow[] = file.rows.map((e) => {
    const params = entryParams(file, e);
    const cfg = resolveConfig(params);
    return {
      id: entryId(e),
      model: 'tlb',
      params,
      columns: { backend: e.backend, path: e.run ? cfg.agents.map((a) => a.path).join(' ∥ ') : e.path, hardware: hardwareLabel(cfg) },
      expect: { verdict: e.expect, ...(e.violates ? { violated: e.violates } : {}), ...(e.cost ? { metrics: e.cost } : {}), ...(e.length !== undefined ? { length: e.length } : {}) },
      ref: e.ref,
      ...(e.note ? { note: e.note } : {}),
    };
  });
  return {
    id: 'tlb-matrix',
    title: 'TLB-shootdown check matrix (DOMAIN §6 and every backend x path)',
    columns: ['backend', 'path', 'hardware'],
    metrics: [
      ['ipis', 'IPIs'],
      ['leafInvalidates', 'leaf'],
      ['perPageInvalidates', 'all-level'],
      ['fullFlushes', 'full'],
    ],
    options: { all: true },
    rows,
    propertyTag: (id) => propertyNumbers([id]),
  };
}
