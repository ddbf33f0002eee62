/**
 * The real parts of the cluster tests: a redis-server of their own (on a unix
 * socket in a temporary directory, or on a free loopback port), and
 * `tlbcheck worker` processes, all stopped afterwards.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/tlbcheck.mjs', import.meta.url));

export function findRedisServer(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, 'redis-server');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface RedisServer {
  readonly url: string;
  stop(): Promise<void>;
}

async function waitFor(test: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function ping(bin: string, args: string[]): boolean {
  const cli = join(bin, '..', 'redis-cli');
  if (!existsSync(cli)) return true;
  return spawnSync(cli, [...args, 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG';
}

function startServer(bin: string, listen: string[], url: string, cliArgs: string[], dir: string): Promise<RedisServer> {
  const child = spawn(bin, [...listen, '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  const server: RedisServer = {
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return waitFor(() => ping(bin, cliArgs), 10_000, 'redis-server').then(() => server);
}

/** A redis-server on a unix socket only (no TCP port). */
export async function startRedis(bin: string): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tlbcheck-redis-'));
  const sock = join(dir, 'redis.sock');
  return startServer(bin, ['--port', '0', '--unixsocket', sock, '--unixsocketperm', '700'], `unix://${sock}`, ['-s', sock], dir);
}

/** A redis-server on a free port of 127.0.0.1 only. */
export async function startRedisTcp(bin: string): Promise<RedisServer> {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'tlbcheck-redis-'));
  return startServer(bin, ['--port', String(port), '--bind', '127.0.0.1'], `redis://127.0.0.1:${port}`, ['-h', '127.0.0.1', '-p', String(port)], dir);
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** What it printed on stderr so far (one line per job). */
  log: string;
}

/** Starts `n` workers and waits until each takes jobs. */
export async function startWorkers(url: string, n: number): Promise<WorkerProcess[]> {
  const ws: WorkerProcess[] = [];
  for (let i = 0; i < n; i++) {
    const child = spawn(process.execPath, [BIN, 'worker', '--redis', url], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    const w: WorkerProcess = { child, log: '' };
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (w.log += d));
    ws.push(w);
  }
  await waitFor(() => ws.every((w) => w.log.includes('taking jobs') || w.child.exitCode !== null), 60_000, 'the workers');
  const dead = ws.find((w) => w.child.exitCode !== null);
  if (dead) throw new Error(`a worker did not start: ${dead.log}`);
  return ws;
}

export async function stopWorkers(ws: readonly WorkerProcess[], signal: NodeJS.Signals = 'SIGTERM'): Promise<(number | null)[]> {
  return Promise.all(
    ws.map(async (w) => {
      if (w.child.exitCode === null && w.child.signalCode === null) {
        w.child.kill(signal);
        await new Promise((r) => w.child.once('exit', r));
      }
      return w.child.exitCode;
    }),
  );
}

/** Waits until some worker's log matches `re`; returns that worker. */
export async function workerWith(ws: readonly WorkerProcess[], re: RegExp, ms = 60_000): Promise<WorkerProcess> {
  let found: WorkerProcess | undefined;
  await waitFor(() => (found = ws.find((w) => re.test(w.log))) !== undefined, ms, `a worker log matching ${re}`);
  return found!;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI asynchronously (the workers keep running meanwhile); `during` runs once it started. */
export function tlbcheckAsync(args: readonly string[], during?: (child: ChildProcess) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    during?.(child);
  });
}

/** A JSON document without its timing fields (seconds, rates, memory), for comparing a local and a distributed run. */
export function withoutTimings(x: unknown): unknown {
  const TIMING = new Set(['seconds', 'statesPerSecond', 'peakRssBytes', 'startupSeconds', 'bytesPerState', 'partitioned']);
  if (Array.isArray(x)) return x.map(withoutTimings);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).filter(([k]) => !TIMING.has(k)).map(([k, v]) => [k, withoutTimings(v)]));
  return x;
}
