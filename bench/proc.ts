/** Child processes for the benchmark: lookup on PATH, plain runs, timed runs with peak RSS. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';

export function which(cmd: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface Ran {
  readonly ok: boolean;
  readonly status: number | null;
  readonly output: string;
}

/** Runs `cmd args` to completion (no timing); output is stdout + stderr. */
export function run(cmd: string, args: readonly string[], cwd?: string, timeoutMs = 600_000): Ran {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20 });
  return { ok: r.status === 0, status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

export interface Timed {
  readonly output: string;
  readonly status: number | null;
  readonly timedOut: boolean;
  /** Wall-clock seconds of the command itself. */
  readonly seconds: number;
  /** From `/usr/bin/time -v`, when available. */
  readonly peakRssBytes?: number;
}

const GNU_TIME = '/usr/bin/time';

function timedOut(r: SpawnSyncReturns<string>): boolean {
  return r.signal === 'SIGKILL' || (r.error !== undefined && 'code' in r.error && r.error.code === 'ETIMEDOUT');
}

/**
 * Runs `cmd args` in `cwd` under `timeout` (coreutils) and `/usr/bin/time -v`
 * when both exist (as /work/shared/peers/run.sh does). Without `timeout` the
 * command runs unwrapped, killed by Node after `timeoutSeconds`, and RSS is
 * omitted (killing the time wrapper would orphan the verifier).
 */
export function runTimed(cmd: string, args: readonly string[], cwd: string, timeoutSeconds: number): Timed {
  const coreTimeout = which('timeout');
  const wrap = coreTimeout !== undefined && existsSync(GNU_TIME);
  const timeFile = join(cwd, '.bench-time');
  const argv = wrap ? ['-v', '-o', timeFile, coreTimeout, String(timeoutSeconds), cmd, ...args] : [...args];
  const t0 = performance.now();
  const r = spawnSync(wrap ? GNU_TIME : cmd, argv, {
    cwd,
    encoding: 'utf8',
    timeout: (timeoutSeconds + (coreTimeout ? 30 : 0)) * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 << 20,
  });
  const seconds = (performance.now() - t0) / 1000;
  let peakRssBytes: number | undefined;
  if (wrap && existsSync(timeFile)) {
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeFile, 'utf8'));
    if (m) peakRssBytes = Number(m[1]) * 1024;
    rmSync(timeFile, { force: true });
  }
  const base = {
    output: `${r.stdout ?? ''}${r.stderr ?? ''}`,
    status: r.status,
    timedOut: timedOut(r) || (wrap && r.status === 124),
    seconds,
  };
  return peakRssBytes === undefined ? base : { ...base, peakRssBytes };
}

/**
 * Runs `copies` processes of `cmd args` at the same time and returns each
 * one's output and wall seconds: what the machine gives independent copies
 * of one search side by side, the ceiling of a parallel speedup on it.
 */
export function runSideBySide(cmd: string, args: readonly string[], cwd: string, copies: number, timeoutSeconds: number): { output: string; seconds: number }[] {
  // A small Node driver, so that each copy gets its own clock while they all run at once.
  const driver = `
    const { spawn } = require('node:child_process');
    const [cmd, n, ...args] = JSON.parse(process.argv[1]);
    const runs = Array.from({ length: n }, () => new Promise((done) => {
      const t0 = performance.now();
      const p = spawn(cmd, args, { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', () => {});
      p.on('close', () => done({ output: out, seconds: (performance.now() - t0) / 1000 }));
    }));
    Promise.all(runs).then((r) => process.stdout.write(JSON.stringify(r)));`;
  const r = spawnSync(process.execPath, ['-e', driver, JSON.stringify([cmd, copies, ...args])], {
    cwd,
    encoding: 'utf8',
    timeout: timeoutSeconds * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 << 20,
  });
  try {
    return JSON.parse(r.stdout) as { output: string; seconds: number }[];
  } catch {
    return [];
  }
}
