/**
 * npm run bench: tlbcheck against SPIN and rumur on the peers' three models,
 * tlbcheck alone on the TLB machine (model tlb), the parallel search beside the
 * sequential one, printed as one side-by-side table and a summary.
 *
 *   npm run bench [-- --json FILE] [-- --only redis]
 *   --only redis         only the partitioned search on Redis against the single-process engine (bench/redis.ts)
 *   BENCH_QUICK=1        fast subset (peterson, philosophers 10..14, tlb-mini up to NCPU 6 x NPAGE 3,
 *                        tlb cpus 2..4, 2 workers on philosophers 14 only)
 *   BENCH_PEERS=0        tlbcheck only; BENCH_PEERS=published: peers' published figures, no runs
 *   BENCH_TIMEOUT=150    per-run timeout in seconds
 *   BENCH_JSON=path      also write the rows as JSON (same as --json)
 *   BENCH_SPIN_MODES=dfs SPIN search modes, comma-separated: dfs, bfs (both -DNOREDUCE)
 *   BENCH_ONLY=regex     only configurations whose "model configuration" matches
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { addRow, annotate, isParallel, isSequential } from './annotate.ts';
import { configs, TLB_BENCH_PARAMS } from './configs.ts';
import { hasPeerModel, PeerRunner, preparePeers, type PeerTool, type SpinMode } from './peers.ts';
import { publishedResults } from './published.ts';
import { summary, workerMismatches } from './summary.ts';
import { formatMachine, formatTable, machine, type Machine } from './table.ts';
import type { BenchConfig, Row, TlbcheckRun } from './types.ts';
import { redisBench } from './redis.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ONE = fileURLToPath(new URL('./one.ts', import.meta.url));
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** One tlbcheck configuration in a fresh Node process (bench/one.ts). */
function runTlbcheck(cfg: BenchConfig, timeoutSeconds: number): Row {
  const workers = cfg.workers ?? 1;
  const options = { all: true, symmetry: cfg.symmetry, timeLimitSeconds: timeoutSeconds, workers };
  const r = spawnSync(process.execPath, ['--import', 'tsx', ONE, cfg.model, JSON.stringify(cfg.params), JSON.stringify(options)], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: (timeoutSeconds + 60) * 1000,
    killSignal: 'SIGKILL',
  });
  const base = { model: cfg.model, config: cfg.label, tool: 'tlbcheck', source: 'measured' as const, workers };
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    log(`bench: tlbcheck ${cfg.model} ${cfg.label} (${workers} workers) failed (status ${String(r.status)}, signal ${String(r.signal)}): ${(r.stderr ?? '').trim()}`);
    return { ...base, verdict: r.signal ? `killed(${r.signal})` : 'error', complete: false };
  }
  const t = JSON.parse(line) as TlbcheckRun;
  return {
    ...base,
    verdict: t.verdict,
    complete: t.complete,
    states: t.states,
    transitions: t.transitions,
    seconds: t.seconds,
    statesPerSecond: t.statesPerSecond,
    bytesPerState: t.bytesPerState,
    peakRssBytes: t.peakRssBytes,
  };
}

function parseArgs(argv: readonly string[]): { json?: string; only?: 'redis' } {
  const i = argv.indexOf('--json');
  if (i >= 0 && !argv[i + 1]) throw new Error('--json needs a file name');
  const json = i >= 0 ? argv[i + 1] : process.env['BENCH_JSON'] || undefined;
  const o = argv.indexOf('--only');
  if (o >= 0 && argv[o + 1] !== 'redis') throw new Error('--only takes one part: redis');
  return { ...(json ? { json } : {}), ...(o >= 0 ? { only: 'redis' as const } : {}) };
}

interface Settings {
  readonly quick: boolean;
  readonly peersMode: string;
  readonly timeout: number;
  readonly spinModes: readonly SpinMode[];
  readonly only: RegExp | undefined;
}

function settings(): Settings {
  const timeout = Number(process.env['BENCH_TIMEOUT'] ?? 150);
  if (!(timeout > 0)) throw new Error('BENCH_TIMEOUT must be a positive number of seconds');
  return {
    quick: process.env['BENCH_QUICK'] === '1',
    peersMode: process.env['BENCH_PEERS'] ?? '1',
    timeout,
    spinModes: (process.env['BENCH_SPIN_MODES'] ?? 'dfs').split(',').filter((m): m is SpinMode => m === 'dfs' || m === 'bfs'),
    only: process.env['BENCH_ONLY'] ? new RegExp(process.env['BENCH_ONLY']) : undefined,
  };
}

/** Every configuration: tlbcheck, then (1 worker, models with a peer model) SPIN and rumur. */
function runAll(s: Settings, runner: PeerRunner | undefined): Row[] {
  const rows: Row[] = [];
  for (const cfg of configs(s.quick).filter((c) => !s.only || s.only.test(`${c.model} ${c.label}`))) {
    const workers = cfg.workers ?? 1;
    log(`bench: ${cfg.model} ${cfg.label}${workers > 1 ? ` (${workers} workers)` : ''} ...`);
    addRow(rows, runTlbcheck(cfg, s.timeout));
    if (!runner || workers > 1 || !hasPeerModel(cfg.model)) continue;
    if (!cfg.symmetry) for (const mode of s.spinModes) rows.push(runner.spin(cfg, mode));
    rows.push(runner.rumur(cfg));
  }
  return rows;
}

function header(s: Settings, started: Date, m: Machine, available: Record<PeerTool, string | undefined>, measuredPeers: boolean): string[] {
  const peer = (tool: PeerTool): string => available[tool] ?? `${tool} ${measuredPeers ? 'not measured' : 'skipped'}`;
  const tlbParams = Object.entries(TLB_BENCH_PARAMS).map(([k, v]) => `${k}=${String(v)}`).join(' ');
  const lines = [
    `# tlbcheck benchmark, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC${s.quick ? ' (BENCH_QUICK subset)' : ''}`,
    '',
    formatMachine(m),
    `peers: ${peer('spin')}; ${peer('rumur')}`,
  ];
  if (measuredPeers && (!available.spin || !available.rumur)) lines.push(`published peer figures from: ${publishedResults()?.path ?? 'none found'}`);
  lines.push(
    `per-run timeout ${s.timeout} s; tlbcheck: complete BFS (all), one fresh process per configuration, seconds = engine search time;`,
    'SPIN: gcc -O2 -DSAFETY -DNOREDUCE (bfs: -DBFS), philosophers with -E; rumur: --threads 1, gcc -O2;',
    'peer seconds = verifier run only (no code generation, no C compilation); peak RSS from /usr/bin/time -v.',
    "transitions = rumur rules fired = SPIN transitions - 1 (SPIN counts the initial state; ~ = SPIN's rounded %g).",
    'philosophers: tlbcheck reports the deadlock met during its complete search; the peers run with deadlock checks off',
    '(SPIN -E, rumur --deadlock-detection off) so that they too count every reachable state.',
    'states/s (and ratios) of runs well under 0.1 s mostly measure start-up; ratios only for complete searches.',
    'workers: 1 = sequential check(), 2 = parallelBfs on 2 worker threads (tlbcheck only; counts agree = same counts as 1 worker);',
    'speedup = 1-worker seconds / 2-worker seconds. bytes/state: tlbcheck visited set + parent links.',
    `tlb: the TLB machine, ${tlbParams}, symmetry off and on (sym); no peer model (peer columns -).`,
    'INCOMPLETE(...) rows were cut short by a bound (the timeout): counts are lower bounds (>=), never a complete measurement.',
  );
  return lines;
}

function peerCountLines(rows: readonly Row[]): string[] {
  const bad = rows.filter((r) => r.countsAgree === false && r.tool !== 'tlbcheck');
  const compared = rows.filter((r) => r.tool !== 'tlbcheck' && r.countsAgree !== undefined).length;
  if (bad.length === 0) {
    return [compared > 0
      ? `State/transition counts: no discrepancy between tlbcheck and the peers (${compared} comparison${compared === 1 ? '' : 's'}).`
      : 'State/transition counts: not compared (no complete peer figures).'];
  }
  const counts = (x: Row | undefined): string => `${x?.states ?? '-'} states / ${x?.transitions ?? '-'} transitions`;
  return [
    'COUNT DISCREPANCIES (tlbcheck vs peer, same configuration):',
    ...bad.map((r) => `  ${r.model} ${r.config}: tlbcheck ${counts(rows.find((x) => isSequential(x) && x.model === r.model && x.config === r.config))}, ${r.tool} ${counts(r)}`),
  ];
}

function workerCountLines(rows: readonly Row[]): string[] {
  const bad = workerMismatches(rows);
  const compared = rows.filter((r) => isParallel(r) && r.countsAgree !== undefined).length;
  if (bad.length > 0) {
    const text = `!!! PARALLEL COUNT MISMATCH: ${bad.map((r) => `${r.model} ${r.config} (${r.workers ?? '?'} workers)`).join(', ')} differ from the 1-worker search !!!`;
    log(`bench: ${text}`);
    return [text];
  }
  return compared > 0 ? [`State/transition counts: parallel runs equal the 1-worker runs (${compared} comparison${compared === 1 ? '' : 's'}).`] : [];
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const s = settings();
  const m = machine();
  const started = new Date();
  if (args.only === 'redis') {
    const r = await redisBench(log, Math.max(s.timeout, 600));
    process.stdout.write(`${[`# tlbcheck benchmark, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC: the partitioned search only`, '', formatMachine(m), '', ...(r?.lines ?? ['redis-server not available: nothing measured'])].join('\n')}\n`);
    if (args.json && r) writeFileSync(args.json, `${JSON.stringify({ date: started.toISOString(), machine: m, redis: r.rows }, null, 2)}\n`);
    return;
  }

  let available: Record<PeerTool, string | undefined> = { spin: undefined, rumur: undefined };
  if (s.peersMode === '1') available = preparePeers(log);
  const runner = s.peersMode === '0' ? undefined : new PeerRunner(available, s.timeout, log);
  let rows: Row[];
  try {
    rows = runAll(s, runner);
  } finally {
    runner?.dispose();
  }
  annotate(rows);

  const lines = [
    ...header(s, started, m, available, runner !== undefined),
    '',
    formatTable(rows),
    '',
    ...peerCountLines(rows),
    ...workerCountLines(rows),
    '',
    ...summary(rows, s.timeout, m.cpus),
  ];
  const redis = await redisBench(log, Math.max(s.timeout, 600));
  if (redis) lines.push('', ...redis.lines);
  process.stdout.write(`${lines.join('\n')}\n`);

  if (args.json) {
    writeFileSync(args.json, `${JSON.stringify({ date: started.toISOString(), machine: m, peers: available, timeoutSeconds: s.timeout, rows, ...(redis ? { redis: redis.rows } : {}) }, null, 2)}\n`);
    log(`bench: rows written to ${args.json}`);
  }
}

main().catch((e: unknown) => {
  log(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
