/**
 * The partitioned search on Redis against the single-process engine, in the
 * same run (`npm run bench -- --only redis`, and part of the full bench):
 * one TLB configuration, checked by bench/one.ts in a fresh process, then by
 * `tlbcheck check ... --redis --partitions K` with K fresh `tlbcheck worker`
 * processes for each K, on a redis-server of the bench's own (a unix socket
 * in a temporary directory; installed with apt-get when missing, as root).
 *
 *   BENCH_REDIS_CPUS=6        CPUs of the configuration (x86-2.6.38, the bench TLB parameters, no symmetry; 4 with BENCH_QUICK=1)
 *   BENCH_REDIS_K=1,2,4       partition counts
 *   BENCH_REDIS_ROUNDS=1      rounds of (one process, then each K), alternated so that the machine's drift falls on both;
 *                             each row is then the round of median speedup, and every round's figures are printed
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TLB_BENCH_PARAMS } from './configs.ts';
import { runSideBySide, which } from './proc.ts';
import type { TlbcheckRun } from './types.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ONE = fileURLToPath(new URL('./one.ts', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/tlbcheck.mjs', import.meta.url));

export interface RedisBenchRow {
  readonly engine: string;
  readonly partitions: number | null;
  readonly verdict: string;
  readonly states: number;
  readonly transitions: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  /** Visited set (and parent links) per stored state, in each partition (or the one process). */
  readonly bytesPerState: number;
  readonly peakRssBytesPerWorker: number;
  readonly messagesPerState?: number;
  readonly bytesSentPerState?: number;
  readonly sentStatesPerState?: number;
  /** Seconds summed over the partitions. */
  readonly barrierSeconds?: number;
  readonly messageSeconds?: number;
  readonly expandSeconds?: number;
  readonly absorbSeconds?: number;
  readonly messageShare?: number;
  readonly barrierShare?: number;
  readonly levels?: number;
  readonly speedup?: number;
}

function redisServer(log: (l: string) => void): string | undefined {
  const found = which('redis-server') ?? (existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : undefined);
  if (found) return found;
  if (process.getuid?.() !== 0) {
    log('bench: redis-server not found and not root: the Redis part is skipped (apt-get install redis-server)');
    return undefined;
  }
  log('bench: installing redis-server (apt-get)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (spawnSync('apt-get', ['install', '-y', '-q', 'redis-server'], { stdio: 'ignore', env }).status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore', env });
    spawnSync('apt-get', ['install', '-y', '-q', 'redis-server'], { stdio: 'ignore', env });
  }
  return which('redis-server') ?? (existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : undefined);
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

async function startWorkers(url: string, n: number): Promise<ChildProcess[]> {
  const ws: { child: ChildProcess; log: string }[] = [];
  for (let i = 0; i < n; i++) {
    const child = spawn(process.execPath, [BIN, 'worker', '--redis', url], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    const w = { child, log: '' };
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (w.log += d));
    ws.push(w);
  }
  const end = Date.now() + 60_000;
  while (!ws.every((w) => w.log.includes('taking jobs'))) {
    if (Date.now() > end) throw new Error('bench: the workers did not start');
    await sleep(100);
  }
  return ws.map((w) => w.child);
}

async function stop(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (c) => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      c.kill('SIGTERM');
      await new Promise((r) => c.once('exit', r));
    }),
  );
}

function run(cmd: string, args: readonly string[], timeoutSeconds: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutSeconds * 1000);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function redisBench(log: (l: string) => void, timeoutSeconds: number): Promise<{ lines: string[]; rows: RedisBenchRow[] } | undefined> {
  const bin = redisServer(log);
  if (!bin) return undefined;
  const cpus = Number(process.env['BENCH_REDIS_CPUS'] ?? (process.env['BENCH_QUICK'] === '1' ? 4 : 6));
  const ks = (process.env['BENCH_REDIS_K'] ?? '1,2,4').split(',').map(Number).filter((k) => k >= 1);
  const params: Record<string, string | number | boolean> = { ...TLB_BENCH_PARAMS, cpus };
  const args = Object.entries(params).flatMap(([k, v]) => (v === true ? [`--${k}`] : v === false ? [`--no-${k}`] : [`--${k}`, String(v)]));
  const label = `tlb ${args.join(' ')} --all --no-symmetry`;
  const dir = mkdtempSync(join(tmpdir(), 'tlbcheck-bench-redis-'));
  const sock = join(dir, 'redis.sock');
  const server = spawn(bin, ['--port', '0', '--unixsocket', sock, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const url = `unix://${sock}`;
  const rows: RedisBenchRow[] = [];
  const roundLines: string[] = [];
  try {
    for (let i = 0; i < 100 && !existsSync(sock); i++) await sleep(50);
    const rounds = Math.max(1, Math.floor(Number(process.env['BENCH_REDIS_ROUNDS'] ?? 1)) || 1);
    const oneRows: RedisBenchRow[] = [];
    const kRows = new Map<number, RedisBenchRow[]>(ks.map((k) => [k, []]));
    let ceiling: RedisBenchRow | undefined;
    const oneArgs = ['--import', 'tsx', ONE, 'tlb', JSON.stringify(params), JSON.stringify({ all: true, symmetry: false, timeLimitSeconds: timeoutSeconds })];
    // As many copies as partitions, up to the CPUs: more would only queue for the cores.
    const copies = Math.min(Math.max(...ks), availableParallelism());
    for (let round = 0; round < rounds; round++) {
      const of = rounds > 1 ? ` (round ${round + 1} of ${rounds})` : '';
      log(`bench: redis: ${label}, single process${of} ...`);
      const one = await run(process.execPath, oneArgs, timeoutSeconds + 60);
      const line = one.stdout.trim().split('\n').pop() ?? '';
      if (!line.startsWith('{')) throw new Error(`bench: the single-process run failed: ${one.stderr.trim()}`);
      const s = JSON.parse(line) as TlbcheckRun;
      oneRows.push({ engine: 'one process (check)', partitions: null, verdict: s.verdict, states: s.states, transitions: s.transitions, seconds: s.seconds, statesPerSecond: s.statesPerSecond, bytesPerState: s.bytesPerState, peakRssBytesPerWorker: s.peakRssBytes });
      if (round === 0 && copies > 1 && process.env['BENCH_CEILING'] !== '0') {
        // The machine's ceiling: independent copies of that search side by side, each as fast as the machine lets it.
        log(`bench: redis: ${label}, ${copies} single processes side by side (the ceiling of any speedup here; BENCH_CEILING=0 skips) ...`);
        const runs = runSideBySide(process.execPath, oneArgs, ROOT, copies, timeoutSeconds + 60);
        const docs = runs.map((r) => r.output.trim().split('\n').pop() ?? '').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as TlbcheckRun);
        if (docs.length === copies && docs.every((d) => d.states === s.states && d.transitions === s.transitions)) {
          const slowest = Math.max(...docs.map((d) => d.seconds));
          ceiling = {
            engine: `${copies} copies side by side`,
            partitions: null,
            verdict: s.verdict,
            states: s.states,
            transitions: s.transitions,
            seconds: slowest,
            statesPerSecond: (copies * s.states) / slowest,
            bytesPerState: s.bytesPerState,
            peakRssBytesPerWorker: Math.max(...docs.map((d) => d.peakRssBytes)),
            speedup: (copies * s.seconds) / slowest,
          };
        } else log('bench: redis: the side-by-side copies did not all finish with the same counts: no ceiling');
      }
      for (const k of ks) {
        log(`bench: redis: ${label}, ${k} partition${k === 1 ? '' : 's'} on ${k} worker process${k === 1 ? '' : 'es'}${of} ...`);
        const ws = await startWorkers(url, k);
        try {
          const r = await run(process.execPath, [BIN, 'check', 'tlb', ...args, '--all', '--no-symmetry', '--redis', url, '--partitions', String(k), '--time-limit', String(timeoutSeconds), '--json'], timeoutSeconds + 60);
          if (!r.stdout.trim().startsWith('{')) throw new Error(`bench: the partitioned run (K=${k}) failed (exit ${String(r.code)}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
          const doc = JSON.parse(r.stdout) as {
            verdict: string;
            bound: string | null;
            stats: { states: number; transitions: number; seconds: number; statesPerSecond: number };
            partitioned: {
              levels: number;
              perPartition: { stored: number; storeBytes: number; peakRssBytes: number; expandMs: number; absorbMs: number; messageMs: number; barrierMs: number }[];
              messagesPerState: number;
              bytesSentPerState: number;
              sentStatesPerState: number;
              messageSeconds: number;
              barrierSeconds: number;
              expandSeconds: number;
              absorbSeconds: number;
              messageShare: number;
            };
          };
          const p = doc.partitioned;
          const total = p.expandSeconds + p.absorbSeconds + p.messageSeconds + p.barrierSeconds;
          kRows.get(k)!.push({
            engine: 'partitioned (Redis)',
            partitions: k,
            verdict: doc.bound ? `${doc.verdict}(${doc.bound})` : doc.verdict,
            states: doc.stats.states,
            transitions: doc.stats.transitions,
            seconds: doc.stats.seconds,
            statesPerSecond: doc.stats.statesPerSecond,
            bytesPerState: p.perPartition.reduce((a, x) => a + x.storeBytes / Math.max(1, x.stored), 0) / Math.max(1, p.perPartition.length),
            peakRssBytesPerWorker: Math.max(...p.perPartition.map((x) => x.peakRssBytes)),
            messagesPerState: p.messagesPerState,
            bytesSentPerState: p.bytesSentPerState,
            sentStatesPerState: p.sentStatesPerState,
            barrierSeconds: p.barrierSeconds,
            messageSeconds: p.messageSeconds,
            expandSeconds: p.expandSeconds,
            absorbSeconds: p.absorbSeconds,
            messageShare: p.messageShare,
            barrierShare: total > 0 ? p.barrierSeconds / total : 0,
            levels: p.levels,
            speedup: s.seconds / doc.stats.seconds,
          });
        } finally {
          await stop(ws);
        }
      }
    }
    rows.push(medianRow(oneRows, (r) => r.seconds));
    if (ceiling) rows.push(ceiling);
    for (const k of ks) rows.push(medianRow(kRows.get(k)!, (r) => r.speedup ?? 0));
    if (rounds > 1) {
      roundLines.push(`rounds (BENCH_REDIS_ROUNDS=${rounds}, alternated; each row above is the round of median speedup, the one-process row its median time):`);
      roundLines.push(`  one process: ${oneRows.map((r) => `${r.seconds.toFixed(1)} s`).join(', ')}`);
      for (const k of ks) roundLines.push(`  K=${k}: ${kRows.get(k)!.map((r) => `${r.seconds.toFixed(1)} s (${(r.speedup ?? 0).toFixed(2)}x)`).join(', ')}`);
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
  return { lines: [...format(label, rows), ...(roundLines.length > 0 ? ['', ...roundLines] : [])], rows };
}

/** The row of median `key` (the lower middle for an even count). */
function medianRow(rows: readonly RedisBenchRow[], key: (r: RedisBenchRow) => number): RedisBenchRow {
  const sorted = [...rows].sort((a, b) => key(a) - key(b));
  return sorted[(sorted.length - 1) >> 1]!;
}

function format(label: string, rows: readonly RedisBenchRow[]): string[] {
  const f = (x: number | undefined, d = 1): string => (x === undefined ? '-' : x.toFixed(d));
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const head = ['engine', 'K', 'verdict', 'states', 'seconds', 'states/s', 'speedup', 'bytes/state', 'peak RSS/worker', 'msgs/state', 'bytes sent/state', 'successors sent/state', 'messaging', 'barriers', 'barrier s'];
  const body = rows.map((r) => [
    r.engine,
    r.partitions === null ? '-' : String(r.partitions),
    r.verdict,
    r.states.toLocaleString('en-US'),
    f(r.seconds),
    Math.round(r.statesPerSecond).toLocaleString('en-US'),
    r.speedup === undefined ? '1.00' : f(r.speedup, 2),
    f(r.bytesPerState),
    mib(r.peakRssBytesPerWorker),
    f(r.messagesPerState, 5),
    f(r.bytesSentPerState),
    f(r.sentStatesPerState, 2),
    r.messageShare === undefined ? '-' : `${Math.round(100 * r.messageShare)}%`,
    r.barrierShare === undefined ? '-' : `${Math.round(100 * r.barrierShare)}%`,
    f(r.barrierSeconds),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(w[i]!)).join(' | ')} |`;
  const base = rows[0];
  const parts = rows.filter((r) => r.partitions !== null);
  const agree = parts.every((r) => base && r.states === base.states && r.transitions === base.transitions);
  const copies = rows.find((r) => r.engine.endsWith('side by side'));
  return [
    '## Partitioned search on Redis',
    '',
    `${label}: the single-process engine (bench/one.ts, a fresh process) against \`check --redis --partitions K\` with K fresh worker processes on this machine (Redis on a unix socket).`,
    'seconds = search time (the workers\' start and their taking the partitions excluded); speedup = one process\'s seconds / these; bytes/state = visited set and parent links per stored state in each partition;',
    'msgs/state, bytes sent/state = batches and bytes between partitions per distinct state; successors sent/state = records in them; messaging = packing and waiting on Redis, barriers = waiting for the other partitions and the next level, as shares of the partitions\' summed time.',
    ...(copies ? [`copies side by side = that many independent single-process searches at once (seconds: the slowest; states/s: all of them together); its speedup (copies x one process's seconds / the slowest copy's) is the ceiling of any speedup on this machine: ${f(copies.speedup, 2)}x here.`] : []),
    '',
    line(head),
    line(w.map((n) => '-'.repeat(n))),
    ...body.map(line),
    '',
    agree ? `State and transition counts: every K equals the single process (${parts.length} comparison${parts.length === 1 ? '' : 's'}).` : '!!! PARTITIONED COUNT MISMATCH: a K differs from the single process !!!',
  ];
}
