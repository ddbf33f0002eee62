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

function transitions(r: Row): string {
  if (r.transitions === undefined) return '-';
  // SPIN's %g output: only `transitionDigits` significant digits are exact.
  return r.transitionDigits === undefined ? int(r.transitions) : `~${Number(r.transitions.toPrecision(r.transitionDigits)).toLocaleString('en-US')}`;
}

function ratio(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '';
  return `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}x`;
}

/** Columns in order; a `workers` column is shown only when some row sets it. */
function columns(rows: readonly Row[]): Column[] {
  const cols: (Column | false)[] = [
    { header: 'model', cell: (r) => r.model },
    { header: 'configuration', cell: (r) => r.config },
    { header: 'tool', cell: (r) => (r.source === 'published' ? `${r.tool} [published]` : r.tool) },
    rows.some((r) => r.workers !== undefined) && { header: 'workers', right: true, cell: (r) => (r.workers === undefined ? '' : String(r.workers)) },
    { header: 'verdict', cell: (r) => r.verdict },
    { header: 'states', right: true, cell: (r) => int(r.states) },
    { header: 'transitions', right: true, cell: transitions },
    { header: 'seconds', right: true, cell: (r) => fixed(r.seconds, 3) },
    { header: 'states/s', right: true, cell: (r) => int(r.statesPerSecond) },
    { header: 'bytes/state', right: true, cell: (r) => (r.tool === 'tlbcheck' ? fixed(r.bytesPerState, 1) : '') },
    { header: 'peak RSS', right: true, cell: (r) => mib(r.peakRssBytes) },
    { header: 'tlbcheck/peer states/s', right: true, cell: (r) => ratio(r.ratio) },
    { header: 'counts agree', cell: (r) => (r.countsAgree === undefined ? '-' : r.countsAgree ? 'yes' : 'NO') },
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
