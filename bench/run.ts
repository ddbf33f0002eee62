/**
 * npm run bench: tlbcheck against SPIN and rumur on the peers' three models,
 * printed as one side-by-side table.
 *
 *   npm run bench [-- --json FILE]
 *   BENCH_QUICK=1        fast subset (peterson, philosophers 10..14, tlb-mini up to NCPU 6 x NPAGE 3)
 *   BENCH_PEERS=0        tlbcheck only; BENCH_PEERS=published: peers' published figures, no runs
 *   BENCH_TIMEOUT=150    per-run timeout in seconds
 *   BENCH_JSON=path      also write the rows as JSON (same as --json)
 *   BENCH_SPIN_MODES=dfs SPIN search modes, comma-separated: dfs, bfs (both -DNOREDUCE)
 *   BENCH_ONLY=regex     only configurations whose "model configuration" matches
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PeerRunner, preparePeers, type PeerTool, type SpinMode } from './peers.ts';
import { publishedResults } from './published.ts';
import { formatMachine, formatTable, machine } from './table.ts';
import type { BenchConfig, Row, TlbcheckRun } from './types.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ONE = fileURLToPath(new URL('./one.ts', import.meta.url));
const log = (line: string): void => void process.stderr.write(`${line}\n`);

function configs(quick: boolean): BenchConfig[] {
  const out: BenchConfig[] = [{ model: 'peterson', label: '-', params: {}, symmetry: false }];
  for (const n of quick ? [10, 12, 14] : [10, 12, 14, 16, 18]) {
    out.push({ model: 'philosophers', label: `N=${n}`, params: { n }, symmetry: false });
  }
  const maxCpu = quick ? 6 : 8;
  const symSizes = quick ? ['4x3', '6x3'] : ['4x3', '6x3', '7x3', '8x3'];
  for (let ncpu = 2; ncpu <= maxCpu; ncpu++) {
    for (let npage = 1; npage <= 3; npage++) {
      const params = { ncpu, npage, variant: 'fixed', 'check-free': true };
      const label = `NCPU=${ncpu} NPAGE=${npage}`;
      out.push({ model: 'tlb-mini', label, params, symmetry: false });
      if (symSizes.includes(`${ncpu}x${npage}`)) out.push({ model: 'tlb-mini', label: `${label} sym`, params, symmetry: true });
    }
  }
  return out;
}

/** One tlbcheck configuration in a fresh Node process (bench/one.ts). */
function runTlbcheck(cfg: BenchConfig, timeoutSeconds: number): Row {
  const options = { all: true, symmetry: cfg.symmetry, timeLimitSeconds: timeoutSeconds, ...(cfg.workers ? { workers: cfg.workers } : {}) };
  const r = spawnSync(process.execPath, ['--import', 'tsx', ONE, cfg.model, JSON.stringify(cfg.params), JSON.stringify(options)], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: (timeoutSeconds + 60) * 1000,
    killSignal: 'SIGKILL',
  });
  const base = { model: cfg.model, config: cfg.label, tool: 'tlbcheck', source: 'measured' as const, ...(cfg.workers ? { workers: cfg.workers } : {}) };
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    log(`bench: tlbcheck ${cfg.model} ${cfg.label} failed (status ${String(r.status)}, signal ${String(r.signal)}): ${(r.stderr ?? '').trim()}`);
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

/** Same states and transitions (SPIN's `%g` transitions compared to their printed precision). */
function sameCounts(t: Row, p: Row): boolean | undefined {
  if (!t.complete || !p.complete || t.states === undefined || p.states === undefined) return undefined;
  if (t.transitions === undefined || p.transitions === undefined) return undefined;
  if (t.states !== p.states) return false;
  const d = p.transitionDigits;
  return d === undefined ? t.transitions === p.transitions : Number((t.transitions + 1).toPrecision(d)) === p.transitions + 1;
}

/** Fills ratio, counts agree and symmetry reduction, per configuration group. */
function annotate(rows: readonly Row[]): void {
  const key = (r: Row): string => `${r.model}\u0000${r.config}`;
  for (const t of rows.filter((r) => r.tool === 'tlbcheck')) {
    const peers = rows.filter((r) => r !== t && key(r) === key(t));
    for (const p of peers) {
      if (t.complete && p.complete && t.statesPerSecond && p.statesPerSecond) p.ratio = t.statesPerSecond / p.statesPerSecond;
      p.countsAgree = sameCounts(t, p);
    }
    const verdicts = peers.map((p) => p.countsAgree).filter((a): a is boolean => a !== undefined);
    if (verdicts.length > 0) t.countsAgree = verdicts.every((a) => a);
  }
  for (const r of rows.filter((x) => x.config.endsWith(' sym'))) {
    const plainTool = r.tool.replace(/ sym\b/, '');
    const plain = rows.find((x) => x.model === r.model && x.config === r.config.replace(/ sym$/, '') && x.tool.startsWith(plainTool));
    if (plain?.complete && r.complete && plain.states && r.states) r.reduction = plain.states / r.states;
  }
}

function parseArgs(argv: readonly string[]): { json?: string } {
  const i = argv.indexOf('--json');
  if (i >= 0 && !argv[i + 1]) throw new Error('--json needs a file name');
  const json = i >= 0 ? argv[i + 1] : process.env['BENCH_JSON'] || undefined;
  return json ? { json } : {};
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const quick = process.env['BENCH_QUICK'] === '1';
  const peersMode = process.env['BENCH_PEERS'] ?? '1';
  const timeout = Number(process.env['BENCH_TIMEOUT'] ?? 150);
  if (!(timeout > 0)) throw new Error('BENCH_TIMEOUT must be a positive number of seconds');
  const spinModes = (process.env['BENCH_SPIN_MODES'] ?? 'dfs').split(',').filter((m): m is SpinMode => m === 'dfs' || m === 'bfs');
  const only = process.env['BENCH_ONLY'] ? new RegExp(process.env['BENCH_ONLY']) : undefined;
  const m = machine();
  const started = new Date();

  let available: Record<PeerTool, string | undefined> = { spin: undefined, rumur: undefined };
  if (peersMode === '1') available = preparePeers(log);
  const runner = peersMode === '0' ? undefined : new PeerRunner(available, timeout, log);
  const rows: Row[] = [];
  try {
    for (const cfg of configs(quick).filter((c) => !only || only.test(`${c.model} ${c.label}`))) {
      log(`bench: ${cfg.model} ${cfg.label} ...`);
      rows.push(runTlbcheck(cfg, timeout));
      if (!runner) continue;
      if (!cfg.symmetry) for (const mode of spinModes) rows.push(runner.spin(cfg, mode));
      rows.push(runner.rumur(cfg));
    }
  } finally {
    runner?.dispose();
  }
  annotate(rows);

  const lines = [
    `# tlbcheck benchmark, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC${quick ? ' (BENCH_QUICK subset)' : ''}`,
    '',
    formatMachine(m),
    `peers: ${available.spin ?? `spin ${runner ? 'not measured' : 'skipped'}`}; ${available.rumur ?? `rumur ${runner ? 'not measured' : 'skipped'}`}`,
  ];
  if (runner && (!available.spin || !available.rumur)) lines.push(`published peer figures from: ${publishedResults()?.path ?? 'none found'}`);
  lines.push(
    `per-run timeout ${timeout} s; tlbcheck: complete BFS (all), one fresh process per configuration, seconds = engine search time;`,
    'SPIN: gcc -O2 -DSAFETY -DNOREDUCE (bfs: -DBFS), philosophers with -E; rumur: --threads 1, gcc -O2;',
    'peer seconds = verifier run only (no code generation, no C compilation); peak RSS from /usr/bin/time -v.',
    "transitions = rumur rules fired = SPIN transitions - 1 (SPIN counts the initial state; ~ = SPIN's rounded %g).",
    'philosophers: tlbcheck reports the deadlock met during its complete search; the peers run with deadlock checks off',
    '(SPIN -E, rumur --deadlock-detection off) so that they too count every reachable state.',
    'states/s (and ratios) of runs well under 0.1 s mostly measure start-up; ratios only for complete searches.',
    '',
    formatTable(rows),
    '',
  );
  const bad = rows.filter((r) => r.countsAgree === false && r.tool !== 'tlbcheck');
  const compared = rows.filter((r) => r.tool !== 'tlbcheck' && r.countsAgree !== undefined).length;
  if (bad.length > 0) lines.push('COUNT DISCREPANCIES (tlbcheck vs peer, same configuration):');
  else if (compared > 0) lines.push(`State/transition counts: no discrepancy between tlbcheck and the peers (${compared} comparisons).`);
  else lines.push('State/transition counts: not compared (no complete peer figures).');
  for (const r of bad) {
    const t = rows.find((x) => x.tool === 'tlbcheck' && x.model === r.model && x.config === r.config);
    const counts = (x: Row | undefined): string => `${x?.states ?? '-'} states / ${x?.transitions ?? '-'} transitions`;
    lines.push(`  ${r.model} ${r.config}: tlbcheck ${counts(t)}, ${r.tool} ${counts(r)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  if (args.json) {
    writeFileSync(args.json, `${JSON.stringify({ date: started.toISOString(), machine: m, peers: available, timeoutSeconds: timeout, rows }, null, 2)}\n`);
    log(`bench: rows written to ${args.json}`);
  }
}

main();
