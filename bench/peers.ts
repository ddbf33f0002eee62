/**
 * Runs the peer model checkers (SPIN, rumur) on bench/peers/*.{pml,m}, with the
 * flags of /work/shared/peers/run.sh: only the verifier run is timed (not code
 * generation nor C compilation). When a tool is missing and cannot be installed,
 * the published figures (results.csv) are returned instead, marked as such.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { run, runTimed, which } from './proc.ts';
import { findPublished, publishedResults, type PublishedRow } from './published.ts';
import type { BenchConfig, BenchModel, Row } from './types.ts';

const PEER_DIR = fileURLToPath(new URL('./peers/', import.meta.url));
const SPIN_CFLAGS = ['-O2', '-w', '-DSAFETY', '-DNOREDUCE'];
const RUMUR_CFLAGS = ['-std=c11', '-O2', '-mcx16', '-w'];

export type SpinMode = 'dfs' | 'bfs';
/** A built peer: each call is one timed run; or a row already (it could not run). */
export type PeerRun = (() => Row) | Row;
export type PeerTool = 'spin' | 'rumur';

/** How a bench configuration is expressed for the peers. */
interface PeerModel {
  readonly base: string;
  readonly spinDefines: readonly string[];
  readonly spinRunFlags: readonly string[];
  /** Murphi constants replaced in the const section (run.sh's sed). */
  readonly rumurConsts: readonly (readonly [string, string])[];
  readonly deadlock: 'stuck' | 'off';
  /** Known reachable states: sizes SPIN's hash table (-w) and DFS stack (-m). */
  readonly expectedStates: number;
  /** DFS depth grows with the state count (philosophers), so -m must too. */
  readonly deepDfs: boolean;
  /** Key of the same run in the published results.csv. */
  readonly published: { readonly model: string; readonly params: string; readonly variant: string };
}

function num(cfg: BenchConfig, name: string): number {
  const v = cfg.params[name];
  if (typeof v !== 'number') throw new Error(`${cfg.model}: parameter ${name} must be a number`);
  return v;
}

/** Whether SPIN and rumur have a model for `model` (bench/peers/*.{pml,m}). */
export function hasPeerModel(model: BenchModel): boolean {
  return model !== 'tlb';
}

function peerModel(cfg: BenchConfig): PeerModel {
  switch (cfg.model) {
    case 'tlb':
      throw new Error('tlb: no peer model (tlbcheck only)');
    case 'peterson':
      return {
        base: 'peterson2', spinDefines: [], spinRunFlags: [], rumurConsts: [], deadlock: 'stuck',
        expectedStates: 20, deepDfs: false, published: { model: 'peterson2', params: '-', variant: '-' },
      };
    case 'philosophers': {
      const n = num(cfg, 'n');
      return {
        base: 'philosophers', spinDefines: [`-DN=${n}`], spinRunFlags: ['-E'], rumurConsts: [['N', String(n)]], deadlock: 'off',
        expectedStates: Math.round((1 + Math.SQRT2) ** n + (1 - Math.SQRT2) ** n), deepDfs: true,
        published: { model: 'philosophers', params: `N=${n}`, variant: 'full' },
      };
    }
    case 'tlb-mini': {
      const ncpu = num(cfg, 'ncpu');
      const npage = num(cfg, 'npage');
      const fixed = cfg.params['variant'] !== 'buggy';
      const checkFree = cfg.params['check-free'] !== false;
      const defines = [`-DNCPU=${ncpu}`, `-DNPAGE=${npage}`, ...(fixed ? ['-DFIXED'] : []), ...(checkFree ? [] : ['-DNO_FREE_CHECK'])];
      return {
        base: 'tlb-mini', spinDefines: defines, spinRunFlags: [], deadlock: 'stuck',
        rumurConsts: [['NCPU', String(ncpu)], ['NPAGE', String(npage)], ['FIXED', String(fixed)], ['CHECK_FREE', String(checkFree)]],
        expectedStates: (npage + 1) * 2 ** ((ncpu - 1) * npage) + 2 ** (npage + 1) - 1, deepDfs: false,
        published: { model: 'tlb-mini', params: `NCPU=${ncpu} NPAGE=${npage}`, variant: `${fixed ? 'FIXED' : 'BUGGY'}${checkFree ? '' : '-nofreechk'}` },
      };
    }
  }
}

function murphiSource(pm: PeerModel): string {
  let text = readFileSync(join(PEER_DIR, `${pm.base}.m`), 'utf8');
  for (const [name, value] of pm.rumurConsts) {
    const re = new RegExp(`^  ${name}: [^;]*;`, 'm');
    if (!re.test(text)) throw new Error(`${pm.base}.m: no constant ${name} to substitute`);
    text = text.replace(re, `  ${name}: ${value};`);
  }
  return text;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** Which peers can be measured here; installs spin and rumur with apt-get when missing. */
export function preparePeers(log: (line: string) => void): Record<PeerTool, string | undefined> {
  const missing = (): string[] => ['spin', 'rumur'].filter((t) => !which(t));
  if (missing().length > 0 && which('apt-get')) {
    log(`bench: ${missing().join(' and ')} missing; apt-get install -y spin rumur ...`);
    let r = run('apt-get', ['install', '-y', 'spin', 'rumur']);
    if (!r.ok) {
      run('apt-get', ['update']);
      r = run('apt-get', ['install', '-y', 'spin', 'rumur']);
    }
    if (!r.ok) log(`bench: apt-get failed:\n${r.output.trim().split('\n').slice(-3).join('\n')}`);
  }
  const cc = which('gcc') !== undefined;
  const version = (cmd: string, flag: string): string | undefined =>
    cc && which(cmd) ? run(cmd, [flag]).output.trim().split('\n')[0] : undefined;
  return { spin: version('spin', '-V'), rumur: version('rumur', '--version') };
}

export class PeerRunner {
  private readonly work = mkdtempSync(join(tmpdir(), 'tlbcheck-bench-'));
  private seq = 0;

  constructor(
    private readonly available: Record<PeerTool, string | undefined>,
    private readonly timeoutSeconds: number,
    private readonly log: (line: string) => void,
  ) {}

  dispose(): void {
    rmSync(this.work, { recursive: true, force: true });
  }

  private dir(name: string): string {
    const d = join(this.work, `${++this.seq}-${name}`);
    mkdirSync(d);
    return d;
  }

  /**
   * SPIN on `cfg`: generates and compiles the verifier once, then returns a
   * runner (each call one timed run of pan), or a row when it cannot run
   * (build error, or published figures when SPIN is not installed).
   */
  spin(cfg: BenchConfig, mode: SpinMode): PeerRun {
    const pm = peerModel(cfg);
    const tool = `spin ${mode}-nored`;
    if (!this.available.spin) return this.published(cfg, pm, 'spin', tool, mode === 'dfs' ? ['dfs-nored'] : ['bfs-nored'], mode === 'dfs' ? [] : ['bfs-por']);
    const d = this.dir(`spin-${pm.base}`);
    copyFileSync(join(PEER_DIR, `${pm.base}.pml`), join(d, `${pm.base}.pml`));
    const t0 = performance.now();
    const gen = run('spin', [...pm.spinDefines, '-a', `${pm.base}.pml`], d);
    const memlim = Math.floor((totalmem() / 2 ** 20) * 0.9);
    const cc = gen.ok
      ? run('gcc', [...SPIN_CFLAGS, ...(mode === 'bfs' ? ['-DBFS'] : []), `-DMEMLIM=${memlim}`, '-o', 'pan', 'pan.c'], d)
      : gen;
    const buildSeconds = (performance.now() - t0) / 1000;
    if (!cc.ok) return this.failed(cfg, tool, cc.output);
    const w = clamp(Math.ceil(Math.log2(pm.expectedStates)) + 1, 20, 28);
    const m = pm.deepDfs ? Math.max(200_000, pm.expectedStates + 1000) : 200_000;
    const flags = [...pm.spinRunFlags, `-w${w}`, ...(mode === 'dfs' ? [`-m${m}`] : [])];
    return () => {
      const t = runTimed('./pan', flags, d, this.timeoutSeconds);
      const out = t.output;
      const states = /^\s*(\d+) states, stored/m.exec(out)?.[1];
      const trans = /^\s*(\S+) transitions \(= stored\+matched\)/m.exec(out)?.[1];
      const errors = /errors: (\d+)/.exec(out)?.[1];
      const elapsed = Number(/pan: elapsed time ([\d.e+-]+) seconds/.exec(out)?.[1] ?? NaN);
      let verdict = t.timedOut ? `timeout>${this.timeoutSeconds}s`
        : out.includes('assertion violated') ? 'violated(assert)'
        : out.includes('invalid end state') && errors !== '0' ? 'deadlock'
        : errors === '0' ? 'holds' : `error(rc=${String(t.status)})`;
      if (out.includes('max search depth too small')) verdict += ',depth-truncated';
      if (/out of memory|MEMLIM/.test(out)) verdict += ',out-of-memory';
      // pan prints its search time to a hundredth of a second; 0 means "under 0.01 s".
      const search = Number.isFinite(elapsed) ? Math.max(elapsed, 0.005) : t.seconds;
      return this.row(cfg, tool, 'measured', verdict, states, trans, true, search, t.seconds, buildSeconds, t.peakRssBytes);
    };
  }

  /** rumur on `cfg`, as spin(): built once, a runner per timed run. */
  rumur(cfg: BenchConfig): PeerRun {
    const pm = peerModel(cfg);
    const tool = `rumur t1${cfg.symmetry ? ' sym' : ''}`;
    const symMode = cfg.symmetry ? 'heuristic' : 'off';
    if (!this.available.rumur) {
      return this.published(cfg, pm, 'rumur', tool, cfg.symmetry ? ['t1-symheur'] : ['t1-symoff', 't1'], cfg.symmetry ? ['t1-symexh'] : []);
    }
    const d = this.dir(`rumur-${pm.base}`);
    writeFileSync(join(d, 'model.m'), murphiSource(pm));
    const flags = ['--threads', '1', '--symmetry-reduction', symMode, '--deadlock-detection', pm.deadlock];
    const t0 = performance.now();
    const gen = run('rumur', [...flags, '-o', 'model.c', 'model.m'], d);
    const cc = gen.ok ? run('gcc', [...RUMUR_CFLAGS, '-o', 'verifier', 'model.c', '-lpthread'], d) : gen;
    const buildSeconds = (performance.now() - t0) / 1000;
    if (!cc.ok) return this.failed(cfg, tool, cc.output);
    return () => {
      const t = runTimed('./verifier', [], d, this.timeoutSeconds);
      const out = t.output;
      const m = /(\d+) states, (\d+) rules fired(?: in (\d+)s)?/.exec(out);
      const verdict = t.timedOut ? `timeout>${this.timeoutSeconds}s`
        : out.includes('No error found') ? 'holds'
        : out.includes('Assertion failed') ? 'violated(assert)'
        : /invariant .* failed/i.test(out) ? 'violated(invariant)'
        : /deadlock/i.test(out) ? 'deadlock' : `error(rc=${String(t.status)})`;
      // rumur reports whole seconds: trust them from 10 s on, else its wall time (its start-up is milliseconds).
      const own = m?.[3] !== undefined ? Number(m[3]) : NaN;
      const search = own >= 10 ? own : t.seconds;
      return this.row(cfg, tool, 'measured', verdict, m?.[1], m?.[2], false, search, t.seconds, buildSeconds, t.peakRssBytes);
    };
  }

  /** `exact`: published modes equal to this run's flags; `similar`: fallbacks, named in the tool column. */
  private published(cfg: BenchConfig, pm: PeerModel, peer: PeerTool, tool: string, exact: readonly string[], similar: readonly string[]): Row {
    const p: PublishedRow | undefined = findPublished(peer, pm.published, [...exact, ...similar]);
    if (!p) {
      const why = publishedResults() ? 'no published figure' : 'not installed, no published figures';
      return { model: cfg.model, config: cfg.label, tool, source: 'published', verdict: why, complete: false };
    }
    const rss = Number(p.maxRssKb);
    const verdict = p.verdict.startsWith('VIOLATED') ? p.verdict.toLowerCase() : p.verdict;
    const label = exact.includes(p.mode) ? tool : `${tool} (as ${p.mode})`;
    return this.row(cfg, label, 'published', verdict, p.states, p.transitions, peer === 'spin',
      Number(p.wallSeconds), Number(p.wallSeconds), undefined, Number.isFinite(rss) && rss > 0 ? rss * 1024 : undefined);
  }

  private failed(cfg: BenchConfig, tool: string, output: string): Row {
    this.log(`bench: ${tool} ${cfg.model} ${cfg.label} failed to build:\n${output.trim().split('\n').slice(-5).join('\n')}`);
    return { model: cfg.model, config: cfg.label, tool, source: 'measured', verdict: 'build-error', complete: false };
  }

  /** `spinTransitions`: SPIN counts the initial state as a transition; subtract it. */
  private row(
    cfg: BenchConfig, tool: string, source: Row['source'], verdict: string,
    states: string | undefined, transitions: string | undefined, spinTransitions: boolean,
    seconds: number, wallSeconds: number, buildSeconds: number | undefined, peakRssBytes: number | undefined,
  ): Row {
    const st = states !== undefined && /^\d+$/.test(states) ? Number(states) : undefined;
    let tr: number | undefined;
    let digits: number | undefined;
    if (transitions !== undefined && Number.isFinite(Number(transitions))) {
      tr = Number(transitions) - (spinTransitions ? 1 : 0);
      const g = /^(\d)\.(\d+)e[+]?\d+$/i.exec(transitions);
      if (g) digits = 1 + (g[2] ?? '').length;
    }
    return {
      model: cfg.model, config: cfg.label, tool, source, verdict,
      complete: verdict === 'holds',
      ...(st !== undefined ? { states: st } : {}),
      ...(tr !== undefined ? { transitions: tr } : {}),
      ...(digits !== undefined ? { transitionDigits: digits } : {}),
      seconds,
      wallSeconds,
      ...(buildSeconds !== undefined ? { buildSeconds } : {}),
      ...(st !== undefined && seconds > 0 ? { statesPerSecond: st / seconds } : {}),
      ...(peakRssBytes !== undefined ? { peakRssBytes } : {}),
    };
  }
}
