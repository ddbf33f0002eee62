/** Formatting of the benchmark: the machine header and the side-by-side table (Markdown pipe table). */
import { cpus, release, totalmem, type as osType } from 'node:os';
import type { Row } from './types.ts';

interface Column {
  readonly header: string;
  readonly right?: boolean;
  readonly cell: (r: Row) => string;
}

const int = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '-' : Math.round(x).toLocaleString('en-US'));
const fixed = (x: number | undefined, digits: number): string => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));
const mib = (bytes: number | undefined): string => (bytes === undefined ? '-' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);

/** Counts of a search cut short are lower bounds: `>=`. */
const atLeast = (r: Row, text: string): string => (r.complete || text === '-' ? text : `>=${text}`);

function transitions(r: Row): string {
  if (r.transitions === undefined) return '-';
  // SPIN's %g output: only `transitionDigits` significant digits are exact.
  return r.transitionDigits === undefined ? atLeast(r, int(r.transitions)) : `~${Number(r.transitions.toPrecision(r.transitionDigits)).toLocaleString('en-US')}`;
}

/** A search cut short by a bound is shouted, so that it is never read as a complete one. */
const verdict = (r: Row): string => (r.verdict.startsWith('incomplete') ? r.verdict.toUpperCase() : r.verdict);

const agree = (r: Row): string => (r.countsAgree === undefined ? '-' : r.countsAgree ? 'yes' : 'NO !!!');

function ratio(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '';
  return `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}x`;
}

/** Parallel rows: the speedup over the 1-worker row, whole process (search only), or `-` when either search is incomplete. */
const speedup = (r: Row): string => ((r.workers ?? 1) > 1 ? (r.wholeSpeedup === undefined ? '-' : `${ratio(r.wholeSpeedup)} (${ratio(r.speedup)})`) : '');

/** Columns in order; `workers` only when some row sets it, `speedup` only when some row has 2 or more. */
function columns(rows: readonly Row[]): Column[] {
  const cols: (Column | false)[] = [
    { header: 'model', cell: (r) => r.model },
    { header: 'configuration', cell: (r) => r.config },
    { header: 'tool', cell: (r) => (r.source === 'published' ? `${r.tool} [published]` : r.tool) },
    rows.some((r) => r.workers !== undefined) && { header: 'workers', right: true, cell: (r) => (r.workers === undefined ? '' : String(r.workers)) },
    rows.some((r) => (r.workers ?? 1) > 1) && { header: 'speedup', right: true, cell: speedup },
    rows.some((r) => r.ceiling !== undefined) && { header: 'ceiling', right: true, cell: (r) => ratio(r.ceiling) },
    { header: 'verdict', cell: verdict },
    { header: 'states', right: true, cell: (r) => atLeast(r, int(r.states)) },
    { header: 'transitions', right: true, cell: transitions },
    { header: 'whole s', right: true, cell: (r) => fixed(r.wallSeconds, 2) },
    { header: 'search s', right: true, cell: (r) => fixed(r.seconds, 2) },
    { header: 'states/s whole', right: true, cell: (r) => int(r.statesPerSecond) },
    rows.some((r) => r.buildSeconds !== undefined) && { header: 'build s', right: true, cell: (r) => fixed(r.buildSeconds, 1) },
    { header: 'bytes/state', right: true, cell: (r) => (r.tool === 'tlbcheck' ? fixed(r.bytesPerState, 1) : '') },
    { header: 'frontier MiB', right: true, cell: (r) => (r.frontierBytes === undefined ? '' : (r.frontierBytes / 2 ** 20).toFixed(1)) },
    { header: 'peak RSS', right: true, cell: (r) => mib(r.peakRssBytes) },
    { header: 'whole x', right: true, cell: (r) => ratio(r.wholeRatio) },
    { header: 'search x', right: true, cell: (r) => ratio(r.ratio) },
    { header: 'counts agree', cell: agree },
    { header: 'sym reduction', right: true, cell: (r) => ratio(r.reduction) },
  ];
  return cols.filter((c): c is Column => c !== false);
}

export function formatTable(rows: readonly Row[]): string {
  const cols = columns(rows);
  const cells = rows.map((r) => cols.map((c) => c.cell(r)));
  const width = cols.map((c, i) => Math.max(c.header.length, 3, ...cells.map((line) => (line[i] ?? '').length)));
  const pad = (s: string, i: number): string => (cols[i]?.right ? s.padStart(width[i] ?? 0) : s.padEnd(width[i] ?? 0));
  const line = (xs: readonly string[]): string => `| ${xs.map(pad).join(' | ')} |`;
  const rule = `|${cols.map((c, i) => (c.right ? `${'-'.repeat((width[i] ?? 0) + 1)}:` : `${'-'.repeat((width[i] ?? 0) + 2)}`)).join('|')}|`;
  return [line(cols.map((c) => c.header)), rule, ...cells.map(line)].join('\n');
}

export interface Machine {
  readonly cpu: string;
  readonly cpus: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${osType()} ${release()}`,
  };
}

export function formatMachine(m: Machine): string {
  return `machine: ${m.cpu} x ${m.cpus} CPUs, ${m.memoryGiB} GiB RAM, node ${m.node}, ${m.os}`;
}
