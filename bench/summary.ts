/**
 * The block printed after the table: tlbcheck against the peers on the two
 * headline configurations, the largest TLB-machine configurations exhausted
 * within the timeout, and the speedups of the parallel search. Only complete
 * searches count as measurements.
 */
import { isParallel, isSequential, sequentialOf } from './annotate.ts';
import type { Row } from './types.ts';

const int = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '-' : Math.round(x).toLocaleString('en-US'));
const times = (x: number): string => `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}x`;
const secs = (x: number | undefined): string => (x === undefined ? '-' : `${x.toFixed(3)} s`);
const secs2 = (x: number | undefined): string => (x === undefined ? '-' : `${x.toFixed(2)} s`);
const isSym = (r: Row): boolean => r.config.endsWith(' sym');
const mib = (b: number | undefined): string => (b === undefined ? '-' : `${Math.round(b / 2 ** 20)} MiB`);

/** The headline configurations of the peer comparison (full run). */
const HEADLINES: readonly { readonly model: string; readonly config: string }[] = [
  { model: 'philosophers', config: 'N=18' },
  { model: 'tlb-mini', config: 'NCPU=8 NPAGE=3' },
];

const completePeers = (rows: readonly Row[], t: Row): Row[] =>
  rows.filter((r) => r.tool !== 'tlbcheck' && r.model === t.model && r.config === t.config && r.complete && r.statesPerSecond);

/** The headline's complete 1-worker tlbcheck row, else the largest complete one of that model with a complete peer row. */
function headlineRow(rows: readonly Row[], model: string, config: string): { row?: Row; note: string } {
  const exact = rows.find((r) => isSequential(r) && r.model === model && r.config === config);
  if (exact?.complete) return { row: exact, note: '' };
  const why = exact ? `${exact.verdict}` : 'not run';
  const candidates = rows.filter((r) => isSequential(r) && r.model === model && !isSym(r) && r.complete && completePeers(rows, r).length > 0);
  const row = candidates.reduce<Row | undefined>((best, r) => (best && (best.states ?? 0) >= (r.states ?? 0) ? best : r), undefined);
  return row ? { row, note: ` (${config}: ${why}; largest complete instead)` } : { note: ` (${config}: ${why})` };
}

/**
 * A tool's resting RSS: its peak RSS on peterson (20 states), else the least
 * peak RSS of its rows. Subtracting it leaves what the states cost.
 */
function baselineRss(rows: readonly Row[], tool: (r: Row) => boolean): number | undefined {
  const measured = rows.filter((r) => tool(r) && r.peakRssBytes !== undefined);
  const peterson = measured.find((r) => r.model === 'peterson');
  if (peterson) return peterson.peakRssBytes;
  return measured.length > 0 ? Math.min(...measured.map((r) => r.peakRssBytes ?? Infinity)) : undefined;
}

function rssPerState(r: Row | undefined, baseline: number | undefined): string {
  if (!r?.peakRssBytes || !r.states || baseline === undefined) return '-';
  return ((r.peakRssBytes - baseline) / r.states).toFixed(1);
}

function headlineLines(rows: readonly Row[]): string[] {
  const isRumur = (r: Row): boolean => r.tool.startsWith('rumur t1') && !r.tool.includes(' sym');
  const tBase = baselineRss(rows, isSequential);
  const rBase = baselineRss(rows, isRumur);
  const out: string[] = [];
  for (const h of HEADLINES) {
    const { row: t, note } = headlineRow(rows, h.model, h.config);
    if (!t) {
      out.push(`  ${h.model}${note}: no complete tlbcheck search with a complete peer run to compare`);
      continue;
    }
    const peers = completePeers(rows, t);
    const rumur = peers.find(isRumur);
    const whole = peers.map((p) => `${p.tool} ${secs2(p.wallSeconds)} (${times(p.wholeRatio ?? NaN)})`).join(', ') || 'no complete peer run';
    const search = peers.map((p) => `${p.tool} ${secs2(p.seconds)} (${times(p.ratio ?? NaN)})`).join(', ');
    out.push(`  ${t.model} ${t.config}${note}:`);
    out.push(`    whole process: tlbcheck ${secs2(t.wallSeconds)}; ${whole}`);
    if (search) out.push(`    search only:   tlbcheck ${secs2(t.seconds)}; ${search}`);
    out.push(
      `    bytes/state: tlbcheck ${t.bytesPerState?.toFixed(1) ?? '-'} (visited set + parent links), ` +
        `RSS estimate tlbcheck ${rssPerState(t, tBase)}, rumur t1 ${rssPerState(rumur, rBase)}`,
    );
  }
  out.push(
    '  RSS estimate = (peak RSS - the same tool\'s peak RSS on peterson, 20 states) / states: what the process grew by',
    '  beyond its resting size (Node\'s runtime for tlbcheck, the verifier binary for rumur), spread over the states.',
  );
  return out;
}

const cpusOf = (r: Row): number => Number(/cpus=(\d+)/.exec(r.config)?.[1] ?? NaN);

function tlbLines(rows: readonly Row[], timeout: number): string[] {
  const tlb = rows.filter((r) => isSequential(r) && r.model === 'tlb');
  if (tlb.length === 0) return ['  (no tlb configuration run)'];
  const out: string[] = [];
  for (const sym of [false, true]) {
    const runs = tlb.filter((r) => isSym(r) === sym).sort((a, b) => cpusOf(a) - cpusOf(b));
    const done = runs.filter((r) => r.complete);
    const best = done[done.length - 1];
    const cut = runs.find((r) => !r.complete);
    const largest = best ? `cpus=${cpusOf(best)}, ${int(best.states)} states in ${secs(best.seconds)}` : 'none exhausted';
    const beyond = cut ? `; cpus=${cpusOf(cut)}: ${cut.verdict.toUpperCase()} at >=${int(cut.states)} states` : `; every size run (cpus ${runs.map(cpusOf).join(', ')}) exhausted`;
    out.push(`  symmetry ${sym ? 'on ' : 'off'}: ${largest} (timeout ${timeout} s)${beyond}`);
  }
  const reductions = tlb.filter((r) => r.reduction !== undefined).map((r) => `cpus=${cpusOf(r)} ${times(r.reduction ?? NaN)}`);
  if (reductions.length > 0) out.push(`  symmetry reduction (states off / states on): ${reductions.join(', ')}`);
  return out;
}

function workerLine(rows: readonly Row[], w: Row): string {
  const one = sequentialOf(rows, w);
  const head = `  ${w.model} ${w.config}, ${w.workers ?? '?'} workers:`;
  if (!one) return `${head} no 1-worker row to compare`;
  if (w.countsAgree === false) {
    return `${head} !!! COUNT MISMATCH !!! 1 worker ${int(one.states)} states / ${int(one.transitions)} transitions, ` +
      `${w.workers ?? '?'} workers ${int(w.states)} / ${int(w.transitions)}`;
  }
  if (w.wholeSpeedup === undefined || w.speedup === undefined) {
    return `${head} no speedup (1 worker: ${one.verdict}, ${w.workers ?? '?'} workers: ${w.verdict}; complete searches only)`;
  }
  return `${head} whole process ${secs2(one.wallSeconds)} -> ${secs2(w.wallSeconds)}, speedup ${times(w.wholeSpeedup)}; ` +
    `search ${secs2(one.seconds)} -> ${secs2(w.seconds)}, ${times(w.speedup)}; peak RSS ${mib(one.peakRssBytes)} -> ${mib(w.peakRssBytes)}; counts equal (${int(w.states)} states)` +
    (w.ceiling === undefined ? '' : `\n    ceiling: ${w.workers ?? '?'} separate 1-worker processes side by side took ${secs2(w.copiesSeconds)} against ${secs2(one.wallSeconds)} alone, ` +
      `${times(w.ceiling)} the throughput of one; the parallel search reached ${((100 * (w.wholeSpeedup ?? 0)) / w.ceiling).toFixed(0)}% of that`);
}

function workerLines(rows: readonly Row[], cpus: number): string[] {
  const parallel = rows.filter(isParallel);
  if (parallel.length === 0) return ['  (no parallel run)'];
  return [
    ...parallel.map((w) => workerLine(rows, w)),
    `  speedup = 1-worker seconds / parallel seconds, on ${cpus} CPUs; the whole process includes starting the workers, the search does not.`,
    '  ceiling = the speedup independent copies of the 1-worker search get side by side on this machine (workers x 1-worker',
    '  seconds / the copies\' seconds): a parallel search of this engine should not beat it beyond noise, and on cores that share caches or',
    '  memory bandwidth it is below the number of CPUs.',
  ];
}

/** Parallel rows whose counts differ from the 1-worker run: these must be shouted. */
export function workerMismatches(rows: readonly Row[]): Row[] {
  return rows.filter((r) => isParallel(r) && r.countsAgree === false);
}

export function summary(rows: readonly Row[], timeout: number, cpus: number): string[] {
  return [
    '## Summary',
    '',
    'tlbcheck vs the peers (complete searches, 1 worker; (Nx) = the peer\'s seconds / tlbcheck\'s, above 1 tlbcheck is faster):',
    ...headlineLines(rows),
    '',
    'Largest tlb configuration exhausted within the timeout (1 worker):',
    ...tlbLines(rows, timeout),
    '',
    'Parallel search:',
    ...workerLines(rows, cpus),
  ];
}
