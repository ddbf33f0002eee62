/**
 * npm run bench:today: the rows of today's kernel (every *-6.18 backend in
 * the default matrix), each in a fresh process: states, time, states/s and bytes
 * per state, with symmetry and partial-order reduction off and on; the
 * target configuration of "Today's kernel, part 1" (munmap ∥ madvise on the
 * same 2 pages, an accessor and speculative walkers, 3 CPUs); and the whole
 * default matrix, old and new rows, with 2 workers, timed as a whole
 * process. Prints a markdown report (and writes it with --out FILE).
 *
 *   npm run bench:today [-- --out bench/TODAY.md] [--rows REGEX]
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { entryId, entryParams, loadMatrix } from '../models/tlb/matrix.ts';
import type { TlbcheckRun } from './types.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ONE = fileURLToPath(new URL('./one.ts', import.meta.url));
const args = process.argv.slice(2);
const opt = (n: string): string | undefined => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : undefined);
const rowsRe = opt('rows') ? new RegExp(opt('rows')!) : undefined;
const started = Date.now();

function one(params: Record<string, unknown>, options: Record<string, unknown>): TlbcheckRun & { wall: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', ONE, 'tlb', JSON.stringify(params), JSON.stringify({ all: true, ...options })], { cwd: ROOT, encoding: 'utf8' });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`bench: ${JSON.stringify(params)} failed: ${r.stderr}`);
  return { ...(JSON.parse(line) as TlbcheckRun), wall: (Date.now() - t0) / 1000 };
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const out: string[] = [];
const say = (l: string): void => {
  out.push(l);
  process.stderr.write(`${l}\n`);
};

say(`# Today's kernel: state counts and speed`);
say('');
say(`Machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}.`);
say('Each row in a fresh process; `sec` is search time, `wall` the whole process. sym: symmetry; por: partial-order reduction.');
say('');
say('| row | states | sec | wall | states/s | bytes/state | sym states | por states | sym+por states |');
say('|---|--:|--:|--:|--:|--:|--:|--:|--:|');
const file = loadMatrix();
let total = 0;
for (const e of file.rows) {
  if (!e.backend.endsWith('-6.18')) continue;
  const id = entryId(e);
  if (rowsRe && !rowsRe.test(id)) continue;
  const p = entryParams(file, e);
  const plain = one(p, { symmetry: false });
  const sym = one(p, { symmetry: true });
  const por = one(p, { symmetry: false, partialOrder: true });
  const both = one(p, { symmetry: true, partialOrder: true });
  total += plain.states;
  say(`| ${id} | ${fmt(plain.states)} | ${plain.seconds.toFixed(2)} | ${plain.wall.toFixed(1)} | ${fmt(Math.round(plain.statesPerSecond))} | ${plain.bytesPerState.toFixed(1)} | ${fmt(sym.states)} | ${fmt(por.states)} | ${fmt(both.states)} |`);
}
say('');
say(`Total: ${fmt(total)} states over today's rows (no reduction).`);
say('');
// The target configuration of part 1.
const target = { backend: 'generic-6.18', run: 'cpu0=munmap,cpu1=madvise_dontneed', cpus: 3, pages: 2, vmas: 1, walker: 'all' };
const t = one(target, { symmetry: true });
say(`Target (munmap ∥ madvise(DONTNEED) on the same 2 pages, an accessor, speculative walkers, 3 CPUs): ${t.verdict}, ${fmt(t.states)} states, ${t.seconds.toFixed(2)} s search, ${t.wall.toFixed(1)} s whole process (target: under 60 s).`);
// The whole default matrix with 2 workers.
const t0 = Date.now();
const m = spawnSync(process.execPath, ['bin/tlbcheck.mjs', 'matrix', '--workers', '2', '--json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
const wall = (Date.now() - t0) / 1000;
const doc = JSON.parse(m.stdout) as { summary: { rows: number; matched: number; seconds: number } };
say(`Whole default matrix (${doc.summary.rows} rows, ${doc.summary.matched} as expected), 2 workers: ${wall.toFixed(1)} s whole process, exit ${String(m.status)} (target: under 120 s).`);
say('');
say(`This report took ${((Date.now() - started) / 1000).toFixed(0)} s.`);
if (opt('out')) writeFileSync(opt('out')!, `${out.join('\n')}\n`);
