/**
 * npm run bench: tlbcheck against SPIN and rumur on the peers' three models,
 * tlbcheck alone on the TLB machine (model tlb), the parallel search beside the
 * sequential one, printed as one side-by-side table and a summary. Every
 * figure comes from this run: tlbcheck's whole process (the CLI, start-up
 * included) against the peers' verifier processes, and search time against
 * search time.
 *
 *   npm run bench [-- --json FILE] [-- --only redis]
 *   --only redis         only the partitioned search on Redis against the single-process engine (bench/redis.ts)
 *   BENCH_QUICK=1        fast subset (peterson, philosophers 10..14, tlb-mini up to NCPU 6 x NPAGE 3,
 *                        tlb cpus 2..4, 2 workers on philosophers 14 and tlb-mini 6x3): a few minutes
 *   BENCH_REPEAT=3       rounds per configuration, tools alternating (tlbcheck, SPIN, rumur, tlbcheck, ...);
 *                        the table shows medians (default 1)
 *   BENCH_PEERS=0        tlbcheck only; BENCH_PEERS=published: peers' published figures, no runs
 *   BENCH_TIMEOUT=150    per-run timeout in seconds
 *   BENCH_JSON=path      also write the rows as JSON (same as --json)
 *   BENCH_SPIN_MODES=dfs,bfs  SPIN search modes, comma-separated (both -DNOREDUCE; default both)
 *   BENCH_ONLY=regex     only configurations whose "model configuration" matches
 *   BENCH_REDIS=0        skip the partitioned search on Redis that ends the full bench
 *   BENCH_CEILING=0      skip running copies of the 1-worker search side by side beside each parallel row
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { addRow, annotate, isParallel, isSequential } from './annotate.ts';
import { configs, estimateSeconds, TLB_BENCH_PARAMS } from './configs.ts';
import { hasPeerModel, PeerRunner, preparePeers, type PeerRun, type PeerTool, type SpinMode } from './peers.ts';
import { runSideBySide, runTimed } from './proc.ts';
import { publishedResults } from './published.ts';
import { summary, workerMismatches } from './summary.ts';
import { formatMachine, formatTable, machine, type Machine } from './table.ts';
import type { BenchConfig, Row, TlbcheckRun } from './types.ts';
import { redisBench } from './redis.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/tlbcheck.mjs', import.meta.url));
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** The CLI arguments of a configuration: the model's parameters, then the search options. */
export function cliArgs(cfg: BenchConfig, timeoutSeconds: number): string[] {
  const args = ['check', cfg.model];
  for (const [k, v] of Object.entries(cfg.params)) {
    if (typeof v === 'boolean') args.push(v ? `--${k}` : `--no-${k}`);
    else args.push(`--${k}`, String(v));
  }
  args.push('--all', cfg.symmetry ? '--symmetry' : '--no-symmetry', '--time-limit', String(timeoutSeconds), '--workers', String(cfg.workers ?? 1), '--json');
  return args;
}

interface CliDoc {
  verdict: string;
  bound: string | null;
  complete: boolean;
  stats: TlbcheckRun;
  violations: { property: string }[];
}

/** One tlbcheck configuration: the CLI as a user runs it, in a fresh process, timed whole. */
function runTlbcheck(cfg: BenchConfig, timeoutSeconds: number): Row {
  const workers = cfg.workers ?? 1;
  const t = runTimed(process.execPath, [BIN, ...cliArgs(cfg, timeoutSeconds)], ROOT, timeoutSeconds + 60);
  const base = { model: cfg.model, config: cfg.label, tool: 'tlbcheck', source: 'measured' as const, workers };
  const start = t.output.indexOf('{');
  let doc: CliDoc | undefined;
  try {
    doc = start >= 0 ? (JSON.parse(t.output.slice(start, t.output.lastIndexOf('}') + 1)) as CliDoc) : undefined;
  } catch {
    doc = undefined;
  }
  if (!doc || t.timedOut) {
    log(`bench: tlbcheck ${cfg.model} ${cfg.label} (${workers} workers) failed (status ${String(t.status)}${t.timedOut ? ', timed out' : ''}): ${t.output.trim().slice(-400)}`);
    return { ...base, verdict: t.timedOut ? 'killed(timeout)' : 'error', complete: false };
  }
  const s = doc.stats;
  const verdict = doc.verdict === 'violated' ? `violated(${doc.violations.map((v) => v.property).join(',')})`
    : doc.verdict === 'incomplete' ? `incomplete(${doc.bound ?? '?'})` : doc.verdict;
  return {
    ...base,
    verdict,
    complete: doc.complete,
    states: s.states,
    transitions: s.transitions,
    seconds: s.seconds,
    wallSeconds: t.seconds,
    statesPerSecond: s.states / Math.max(t.seconds, 1e-9),
    bytesPerState: s.bytesPerState,
    ...(s.frontierBytes !== undefined ? { frontierBytes: s.frontierBytes } : {}),
    peakRssBytes: t.peakRssBytes ?? s.peakRssBytes,
  };
}

/**
 * `workers` copies of the configuration's 1-worker search at once, as separate
 * processes: the slowest copy's wall seconds, if every copy found the counts
 * of the parallel row (else nothing: a ceiling from failed runs means nothing).
 */
function sideBySide(cfg: BenchConfig, timeoutSeconds: number, parallel: Row): { copiesSeconds?: number } {
  const workers = cfg.workers ?? 1;
  log(`bench:   and ${workers} copies of the 1-worker search side by side (the machine's ceiling; BENCH_CEILING=0 skips)`);
  const runs = runSideBySide(process.execPath, [BIN, ...cliArgs({ ...cfg, workers: 1 }, timeoutSeconds)], ROOT, workers, timeoutSeconds + 60);
  const ok = runs.length === workers && runs.every((r) => {
    const at = r.output.indexOf('{');
    try {
      const doc = JSON.parse(r.output.slice(at, r.output.lastIndexOf('}') + 1)) as CliDoc;
      return doc.complete && doc.stats.states === parallel.states && doc.stats.transitions === parallel.transitions;
    } catch {
      return false;
    }
  });
  if (!ok) {
    log('bench:   the side-by-side copies did not all finish with the same counts: no ceiling');
    return {};
  }
  return { copiesSeconds: Math.max(...runs.map((r) => r.seconds)) };
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
  readonly repeat: number;
  readonly spinModes: readonly SpinMode[];
  readonly only: RegExp | undefined;
}

function settings(): Settings {
  const timeout = Number(process.env['BENCH_TIMEOUT'] ?? 150);
  if (!(timeout > 0)) throw new Error('BENCH_TIMEOUT must be a positive number of seconds');
  const repeat = Number(process.env['BENCH_REPEAT'] ?? 1);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error('BENCH_REPEAT must be a positive integer');
  return {
    quick: process.env['BENCH_QUICK'] === '1',
    peersMode: process.env['BENCH_PEERS'] ?? '1',
    timeout,
    repeat,
    spinModes: (process.env['BENCH_SPIN_MODES'] ?? 'dfs,bfs').split(',').filter((m): m is SpinMode => m === 'dfs' || m === 'bfs'),
    only: process.env['BENCH_ONLY'] ? new RegExp(process.env['BENCH_ONLY']) : undefined,
  };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1]!;
};

/** The median of several runs of one tool: the run of median wall time, with the median search time. */
function medianRow(runs: readonly Row[]): Row {
  if (runs.length === 1) return { ...runs[0]!, runs: 1 };
  const byWall = [...runs].sort((a, b) => (a.wallSeconds ?? Infinity) - (b.wallSeconds ?? Infinity));
  const mid = byWall[(byWall.length - 1) >> 1]!;
  const secs = runs.map((r) => r.seconds).filter((x): x is number => x !== undefined);
  const seconds = secs.length > 0 ? median(secs) : mid.seconds;
  return {
    ...mid,
    runs: runs.length,
    ...(seconds !== undefined ? { seconds } : {}),
    ...(mid.states !== undefined && mid.wallSeconds ? { statesPerSecond: mid.states / mid.wallSeconds } : {}),
  };
}

const minutes = (s: number): string => (s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);

/** Every configuration: tlbcheck, then (1 worker, models with a peer model) SPIN and rumur, `repeat` rounds alternating. */
function runAll(s: Settings, runner: PeerRunner | undefined, available: Record<PeerTool, string | undefined>): Row[] {
  const rows: Row[] = [];
  const list = configs(s.quick).filter((c) => !s.only || s.only.test(`${c.model} ${c.label}`));
  const peersOf = (cfg: BenchConfig): { spinModes: number; rumur: boolean } =>
    !runner || (cfg.workers ?? 1) > 1 || !hasPeerModel(cfg.model) ? { spinModes: 0, rumur: false }
      : { spinModes: available.spin ? (cfg.symmetry ? 0 : s.spinModes.length) : 0, rumur: available.rumur !== undefined };
  const estimate = list.map((c) => s.repeat * estimateSeconds(c, peersOf(c), s.timeout));
  const total = estimate.reduce((a, b) => a + b, 0);
  log(`bench: ${list.length} configurations x ${s.repeat} round${s.repeat === 1 ? '' : 's'}; this takes about ${minutes(total)} on a quiet 2-core machine${s.quick ? '' : ' (BENCH_QUICK=1 for a few minutes)'}`);
  const t0 = performance.now();
  let done = 0;
  list.forEach((cfg, i) => {
    const workers = cfg.workers ?? 1;
    const elapsed = (performance.now() - t0) / 1000;
    const left = total - done;
    log(`bench: [${i + 1}/${list.length}] ${cfg.model} ${cfg.label}${workers > 1 ? ` (${workers} workers)` : ''} ... (${minutes(elapsed)} so far, about ${minutes(Math.max(0, left))} left)`);
    const peers: { tool: string; run: PeerRun }[] = [];
    if (runner && workers === 1 && hasPeerModel(cfg.model)) {
      if (!cfg.symmetry) for (const mode of s.spinModes) peers.push({ tool: `spin-${mode}`, run: runner.spin(cfg, mode) });
      peers.push({ tool: 'rumur', run: runner.rumur(cfg) });
    }
    const tl: Row[] = [];
    const pr: Row[][] = peers.map(() => []);
    for (let round = 0; round < s.repeat; round++) {
      tl.push(runTlbcheck(cfg, s.timeout));
      peers.forEach((p, k) => {
        if (typeof p.run === 'function') pr[k]!.push(p.run());
        else if (round === 0) pr[k]!.push(p.run);
      });
    }
    const row = medianRow(tl);
    if (workers > 1 && process.env['BENCH_CEILING'] !== '0') Object.assign(row, sideBySide(cfg, s.timeout, row));
    addRow(rows, row);
    for (const r of pr) if (r.length > 0) rows.push(medianRow(r));
    done += estimate[i]!;
  });
  log(`bench: done in ${minutes((performance.now() - t0) / 1000)}`);
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
    `per-run timeout ${s.timeout} s; ${s.repeat} round${s.repeat === 1 ? '' : 's'} per configuration${s.repeat > 1 ? ' (tools alternating; medians shown)' : ''}.`,
    'whole s = wall time of the process that searches: for tlbcheck the CLI as a user runs it (`tlbcheck check ... --all --json`:',
    'Node start-up, TypeScript loading, model building, worker start-up and output included), for the peers the verifier',
    'process (pan, rumur\'s verifier), without code generation or C compilation (build s, shown apart).',
    "search s = the search alone: tlbcheck's engine time (workers' start-up excluded), SPIN's \"elapsed time\", rumur's own",
    'time (it prints whole seconds: under 10 s its wall time stands in, its start-up being milliseconds).',
    'whole x / search x (peer rows) = the peer\'s seconds / tlbcheck\'s, whole process and search only: above 1, tlbcheck is faster.',
    'SPIN: gcc -O2 -DSAFETY -DNOREDUCE (bfs: -DBFS), philosophers with -E; rumur: --threads 1, gcc -O2; peak RSS from /usr/bin/time -v.',
    "transitions = rumur rules fired = SPIN transitions - 1 (SPIN counts the initial state; ~ = SPIN's rounded %g).",
    'philosophers: tlbcheck reports the deadlock met during its complete search; the peers run with deadlock checks off',
    '(SPIN -E, rumur --deadlock-detection off) so that they too count every reachable state.',
    'Runs well under a second mostly measure start-up; ratios only for complete searches.',
    'workers: 1 = sequential search, 2 = parallel BFS on 2 worker threads (tlbcheck only; counts agree = same counts as 1 worker);',
    'speedup = 1-worker seconds / 2-worker seconds, whole process (search only in parentheses).',
    'bytes/state: tlbcheck visited set + parent links (the frontier is apart: frontier MiB, its largest size in memory).',
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
  const t0 = performance.now();

  let available: Record<PeerTool, string | undefined> = { spin: undefined, rumur: undefined };
  if (s.peersMode === '1') available = preparePeers(log);
  const runner = s.peersMode === '0' ? undefined : new PeerRunner(available, s.timeout, log);
  let rows: Row[];
  try {
    rows = runAll(s, runner, available);
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
    '',
    `The bench took ${minutes((performance.now() - t0) / 1000)} (${s.repeat} round${s.repeat === 1 ? '' : 's'} a configuration${s.repeat > 1 ? ', medians shown' : ''}).`,
  ];
  // The engine's table first: the Redis part takes minutes more (BENCH_REDIS=0 skips it).
  process.stdout.write(`${lines.join('\n')}\n`);
  const redis = process.env['BENCH_REDIS'] === '0' ? undefined : await redisBench(log, Math.max(s.timeout, 600));
  if (redis) process.stdout.write(`\n${redis.lines.join('\n')}\n`);

  if (args.json) {
    writeFileSync(args.json, `${JSON.stringify({ date: started.toISOString(), machine: m, peers: available, timeoutSeconds: s.timeout, rows, ...(redis ? { redis: redis.rows } : {}) }, null, 2)}\n`);
    log(`bench: rows written to ${args.json}`);
  }
}

main().catch((e: unknown) => {
  log(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
