/** Cross-row figures of the table: peer ratios, count agreement, worker speedups, symmetry reductions. */
import type { Row } from './types.ts';

const sameConfig = (a: Row, b: Row): boolean => a.model === b.model && a.config === b.config;

/** A tlbcheck row of the sequential search (the reference the peers and the parallel runs compare with). */
export const isSequential = (r: Row): boolean => r.tool === 'tlbcheck' && (r.workers ?? 1) === 1;
/** A tlbcheck row of the parallel search. */
export const isParallel = (r: Row): boolean => r.tool === 'tlbcheck' && (r.workers ?? 1) > 1;

/** The sequential tlbcheck row of `r`'s configuration. */
export function sequentialOf(rows: readonly Row[], r: Row): Row | undefined {
  return rows.find((x) => isSequential(x) && sameConfig(x, r));
}

/** Same states and transitions (SPIN's `%g` transitions compared to their printed precision). */
function sameCounts(t: Row, p: Row): boolean | undefined {
  if (!t.complete || !p.complete || t.states === undefined || p.states === undefined) return undefined;
  if (t.transitions === undefined || p.transitions === undefined) return undefined;
  if (t.states !== p.states) return false;
  const d = p.transitionDigits;
  return d === undefined ? t.transitions === p.transitions : Number((t.transitions + 1).toPrecision(d)) === p.transitions + 1;
}

function annotatePeers(rows: readonly Row[]): void {
  for (const t of rows.filter(isSequential)) {
    const peers = rows.filter((r) => r.tool !== 'tlbcheck' && sameConfig(r, t));
    for (const p of peers) {
      if (t.complete && p.complete && t.seconds && p.seconds) p.ratio = p.seconds / t.seconds;
      if (t.complete && p.complete && t.wallSeconds && p.wallSeconds) p.wholeRatio = p.wallSeconds / t.wallSeconds;
      p.countsAgree = sameCounts(t, p);
    }
    const verdicts = peers.map((p) => p.countsAgree).filter((a): a is boolean => a !== undefined);
    if (verdicts.length > 0) t.countsAgree = verdicts.every((a) => a);
  }
}

function annotateWorkers(rows: readonly Row[]): void {
  for (const w of rows.filter(isParallel)) {
    const one = sequentialOf(rows, w);
    if (!one) continue;
    w.countsAgree = sameCounts(one, w);
    if (one.complete && w.complete && one.seconds && w.seconds) w.speedup = one.seconds / w.seconds;
    if (one.complete && w.complete && one.wallSeconds && w.wallSeconds) w.wholeSpeedup = one.wallSeconds / w.wallSeconds;
    if (one.complete && one.wallSeconds && w.copiesSeconds) w.ceiling = ((w.workers ?? 1) * one.wallSeconds) / w.copiesSeconds;
  }
}

function annotateSymmetry(rows: readonly Row[]): void {
  for (const r of rows.filter((x) => x.config.endsWith(' sym'))) {
    const plainTool = r.tool.replace(/ sym\b/, '');
    const plain = rows.find(
      (x) => x.model === r.model && x.config === r.config.replace(/ sym$/, '') && x.tool.startsWith(plainTool) && x.workers === r.workers,
    );
    if (plain?.complete && r.complete && plain.states && r.states) r.reduction = plain.states / r.states;
  }
}

/** Fills ratio, counts agree, speedup and symmetry reduction, per configuration group. */
export function annotate(rows: readonly Row[]): void {
  annotatePeers(rows);
  annotateWorkers(rows);
  annotateSymmetry(rows);
}

/** Index of the last tlbcheck row of `row`'s configuration, or -1. */
function lastTlbcheck(rows: readonly Row[], row: Row): number {
  for (let i = rows.length - 1; i >= 0; i--) {
    const x = rows[i];
    if (x && x.tool === 'tlbcheck' && sameConfig(x, row)) return i;
  }
  return -1;
}

/** Adds `row` to `rows`: a parallel tlbcheck row goes right after the other tlbcheck rows of its configuration. */
export function addRow(rows: Row[], row: Row): void {
  const at = isParallel(row) ? lastTlbcheck(rows, row) : -1;
  if (at < 0) rows.push(row);
  else rows.splice(at + 1, 0, row);
}
