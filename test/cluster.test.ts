/**
 * The cluster on real parts: a redis-server of the test's own, 3 `tlbcheck
 * worker` processes, and the CLI as a user runs it. Jobs (matrix rows,
 * simulation runs, shrinking candidates) give the local output apart from
 * timings; the partitioned search gives the sequential search's counts,
 * verdicts and shortest lengths; a worker killed mid-run loses nothing from
 * the matrix, and ends a partitioned search incomplete, never holds.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OwnedSet, ownerFunction, ownerOf } from '../src/cluster/owned-set.ts';
import { connect, parseRedisUrl, RedisLost, watchConnection, type Watchable } from '../src/cluster/redis.ts';
import { IncompleteError } from '../src/cli/args.ts';
import { check } from '../src/engine/index.ts';
import { findModel } from '../models/index.ts';
import { partitionLocal } from '../bench/partition-local.ts';
import { endMessage, HEADER_WORDS, KIND_END, KIND_PROBE, KIND_STATES, OutBatch, RECORD_EXTRA, wordsOf } from '../src/cluster/wire.ts';
import { isOneLineError, tlbcheck } from './cli-helpers.ts';
import { startRedis, startRedisTcp, startWorkers, stopWorkers, tlbcheckAsync, withoutTimings, workerWith, type RedisServer, type WorkerProcess } from './redis-helpers.ts';

const server = inject('redisServer');

describe('cluster options without a server', () => {
  it('worker --help, and usage errors with one line and exit 2', () => {
    const h = tlbcheck('worker', '--help');
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('usage: tlbcheck worker --redis URL');
    for (const args of [
      ['worker'],
      ['worker', '--redis', 'http://localhost'],
      ['worker', '--redis', 'unix:///nonexistent/dir/redis.sock'],
      ['check', 'peterson', '--partitions', '2'],
      ['check', 'peterson', '--redis', 'unix:///nonexistent/x.sock', '--partitions', '2', '--strategy', 'dfs'],
      ['check', 'peterson', '--redis', 'unix:///nonexistent/x.sock', '--partitions', '2', '--workers', '2'],
      ['check', 'peterson', '--redis', 'unix:///nonexistent/x.sock', '--partitions', '2', '--fingerprint', '128'],
      ['check', 'peterson', '--redis', 'unix:///nonexistent/x.sock', '--partitions', '2'],
      ['simulate', 'peterson', '--runs-per-job', '3'],
      ['matrix', '--redis', 'unix:///nonexistent/x.sock', '--workers', '2'],
      ['check', 'peterson', '--redis', 'redis://127.0.0.1:1'],
    ]) {
      const r = tlbcheck(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(isOneLineError(r), `${args.join(' ')}: ${r.stderr}`).toBe(true);
    }
  });
});

describe('watchConnection: a client gives a lost Redis up, never waits forever', () => {
  const never = new Promise<number>(() => {});
  /** A stand-in connection: its status, and a PING that answers at once (or never, when `mute`). */
  const conn = (status: string, mute = false) => ({ status, ping: () => (mute ? (never as unknown as Promise<'PONG'>) : Promise.resolve('PONG' as const)) }) as unknown as Watchable;
  it('passes results through while connected; rejects with RedisLost (exit 3) once down for the whole grace', async () => {
    const c = conn('ready');
    const w = watchConnection(c, 'unix:///x.sock', 200);
    await expect(w.guard(Promise.resolve(7))).resolves.toBe(7);
    (c as { status: string }).status = 'reconnecting';
    const t0 = Date.now();
    const err = await w.guard(never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisLost);
    expect(err).toBeInstanceOf(IncompleteError);
    expect((err as Error).message).toBe('Redis at unix:///x.sock stopped answering (no connection for 0.2 s)');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(w.isLost()).toBe(true);
  });
  it('a server that keeps its connection open but stops answering (paused, cut off) is lost too', async () => {
    const w = watchConnection(conn('ready', true), 'redis://h:1', 300);
    const err = await w.guard(never).catch((e: unknown) => e);
    expect((err as Error).message).toBe('Redis at redis://h:1 stopped answering (no reply for 0.3 s)');
    // A guard asked for after the loss fails at once.
    await expect(w.guard(Promise.resolve(1))).rejects.toBeInstanceOf(RedisLost);
  });
  it('a connection back within the grace starts the count again', async () => {
    const c = conn('reconnecting') as { status: string };
    const w = watchConnection(c as unknown as Watchable, 'u', 400);
    const flip = setInterval(() => (c.status = c.status === 'ready' ? 'reconnecting' : 'ready'), 150);
    const r = await Promise.race([w.guard(never).catch(() => 'lost'), new Promise((res) => setTimeout(() => res('waiting'), 1500))]);
    clearInterval(flip);
    w.stop();
    expect(r).toBe('waiting');
    expect(w.isLost()).toBe(false);
  });
});

describe('connect: a Redis that stops answering right after the probe', () => {
  it('ends with RedisLost (exit 3), not a hang', async () => {
    const { createServer } = await import('node:net');
    // Answers every command of its first connection (the probe) with +OK; the connection after it gets no reply.
    let n = 0;
    const fake = createServer((c) => {
      const first = n++ === 0;
      c.on('data', (d: Buffer) => {
        if (first) for (const _ of d.toString('latin1').matchAll(/^\*\d+\r$/gm)) c.write('+OK\r\n');
      });
    });
    const port = await new Promise<number>((r) => fake.listen(0, '127.0.0.1', () => r((fake.address() as { port: number }).port)));
    try {
      const url = `redis://127.0.0.1:${port}`;
      const t0 = Date.now();
      const err = await connect(parseRedisUrl(url), 'test', 400).catch((e: unknown) => e);
      expect(err, String(err)).toBeInstanceOf(RedisLost);
      expect((err as Error).message).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ stopped answering \(no (connection|reply) for 0\.4 s\)$/);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(n).toBe(2);
    } finally {
      fake.close();
    }
  });
});

describe('a --redis that is not Redis', () => {
  it('one line naming it, without the client library\'s "Please report this"', async () => {
    const { createServer } = await import('node:net');
    const http = createServer((c) => c.on('data', () => c.write('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const port = await new Promise<number>((r) => http.listen(0, '127.0.0.1', () => r((http.address() as { port: number }).port)));
    try {
      const r = await tlbcheckAsync(['check', 'peterson', '--partitions', '2', '--redis', `redis://127.0.0.1:${port}`]);
      expect(r.code).toBe(2);
      expect(isOneLineError(r), r.stderr).toBe(true);
      expect(r.stderr).toContain('cannot reach Redis (not a Redis server: unknown RESP type 72 "H")');
      expect(r.stderr).not.toContain('report');
    } finally {
      http.close();
    }
  });
});

describe('shrinking on workers whose Redis cannot be reached', () => {
  it('check --minimize keeps the violation it found, unminimized, with the reason (exit 1, not a usage error)', () => {
    const r = tlbcheck('check', 'broken-mutex', '--minimize', '--redis', 'redis://127.0.0.1:1', '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.verdict).toBe('violated');
    expect(doc.notes).toEqual([expect.stringMatching(/^not minimized \(--redis 'redis:\/\/127\.0\.0\.1:1': cannot reach Redis \(ECONNREFUSED\).*\): the trace shown is in the configuration checked$/)]);
  });
});

describe('the command line without --redis', () => {
  it('loads neither BullMQ nor ioredis (half a second at every start): the cluster modules are imported only when used', () => {
    // The static (value) imports reachable from the CLI's entry point; `import type` and dynamic import() are not followed.
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
    const seen = new Map<string, string>();
    const visit = (file: string, via: string): void => {
      if (seen.has(file)) return;
      seen.set(file, via);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (spec === 'bullmq' || spec === 'ioredis') throw new Error(`${file} imports ${spec}, reached from ${via}`);
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec), file);
      }
    };
    visit(resolve(root, 'src/cli/main.ts'), 'the entry point');
    expect(seen.size).toBeGreaterThan(20);
    expect([...seen.keys()].some((f) => f.endsWith('src/cluster/options.ts'))).toBe(true);
  });
});

describe('partition parts without a server', () => {
  it('the owner is the whole 64-bit fingerprint mod K, for every K the CLI takes', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(u32, u32, fc.integer({ min: 1, max: 1024 }), (h, l, k) => {
        const want = Number(((BigInt(h) << 32n) + BigInt(l)) % BigInt(k));
        // Fingerprints arrive as Uint32Array words, and as signed values after | or ^.
        return ownerFunction(k)(h, l) === want && ownerFunction(k)(h | 0, l | 0) === want && ownerOf(h, l, k) === want;
      }),
      { numRuns: 5000 },
    );
    expect(ownerFunction(1)(0xffffffff, 0xffffffff)).toBe(0);
    expect(ownerFunction(1024)(0xffffffff, 0xffffffff)).toBe(1023);
  });

  it('the owned set keeps every fingerprint with its parent link through its growths', () => {
    const set = new OwnedSet(300, 16);
    const n = 20_000;
    // Fingerprints are unsigned words, as they come out of Uint32Arrays.
    const key = (i: number): [number, number] => [(Math.imul(i + 1, 0x9e3779b1) | 1) >>> 0, Math.imul(i + 7, 0x85ebca6b) >>> 0];
    for (let i = 0; i < n; i++) {
      const [h, l] = key(i);
      expect(set.add(h, l, i, i + 1, i % 300)).toBe(true);
    }
    expect(set.size).toBe(n);
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      const [h, l] = key(i);
      if (set.add(h, l, 0, 0, 0)) wrong++;
      const p = set.parent(h, l);
      if (!p || p[0] !== i || p[1] !== i + 1 || p[2] !== i % 300) wrong++;
    }
    expect(wrong).toBe(0);
    expect(set.has(12345, 678)).toBe(false);
    expect(set.parent(12345, 678)).toBeUndefined();
  });

  it('the owned set moves parent links with their fingerprints when homes crowd the top (probes that wrap) and the bottom', () => {
    const set = new OwnedSet(8, 16);
    const keys: [number, number][] = [];
    for (let i = 0; i < 3000; i++) keys.push([i + 1, i % 3 === 0 ? (0xffffffff - i) >>> 0 : i % 3 === 1 ? i : (i * 2654435761) >>> 0]);
    keys.forEach(([h, l], i) => expect(set.add(h, l, i + 5, i + 6, i)).toBe(true));
    let wrong = 0;
    keys.forEach(([h, l], i) => {
      const p = set.parent(h, l);
      if (!p || p[0] !== i + 5 || p[1] !== i + 6 || p[2] !== i) wrong++;
    });
    expect(wrong).toBe(0);
    expect(set.size).toBe(3000);
  });

  it('one partition in-process (no Redis; bench/partition-local.ts) finds the sequential search\'s states, transitions and depth', async () => {
    const cases: [string, Record<string, number | boolean | string>, boolean][] = [
      ['tlb', { pages: 2, gup: 1, walker: 'all', allocator: true, backend: 'x86-2.6.38', cpus: 3 }, false],
      ['tlb', { pages: 2, gup: 1, walker: 'all', allocator: true, backend: 'x86-2.6.38', cpus: 3 }, true],
      ['tlb-mini', { ncpu: 4, npage: 2 }, false],
    ];
    for (const [id, given, symmetry] of cases) {
      const f = findModel(id)!;
      const params = Object.fromEntries(f.params.map((p) => [p.name, given[p.name] ?? p.default]));
      const seq = check(f.create(params), { all: true, symmetry });
      const local = await partitionLocal(f, params, { all: true, symmetry });
      expect(local.verdict).toBe(seq.verdict);
      expect([local.states, local.transitions, local.depth]).toEqual([seq.stats.states, seq.stats.transitions, seq.stats.depth]);
      expect(local.states).toBeGreaterThan(100);
    }
  });

  it('a batch is one typed-array message: header, then state words, fingerprint, parent and action per state', () => {
    const b = new OutBatch(3, 2, 5);
    b.push(Uint32Array.of(1, 2, 3), 3, 10, 11, 12, 13, 4);
    expect(b.full).toBe(false);
    b.push(Uint32Array.of(7, 8, 9), 3, 20, 21, 22, 23, 6);
    expect(b.full).toBe(true);
    const msg = b.take(KIND_STATES, 9);
    expect(b.count).toBe(0);
    expect(msg.byteLength).toBe(4 * (HEADER_WORDS + 2 * (3 + RECORD_EXTRA)));
    // An unaligned copy reads the same.
    const unaligned = Buffer.alloc(msg.byteLength + 1).subarray(1);
    msg.copy(unaligned);
    for (const m of [wordsOf(msg), wordsOf(unaligned)]) expect([...m]).toEqual([KIND_STATES, 5, 9, 2, 1, 2, 3, 10, 11, 12, 13, 4, 7, 8, 9, 20, 21, 22, 23, 6]);
    expect([...wordsOf(endMessage(2, 9))]).toEqual([KIND_END, 2, 9, 0]);
    // The next batch fills another buffer: a message not yet given back is never written over.
    b.push(Uint32Array.of(4, 5, 6), 3, 30, 31, 32, 33, 1);
    const second = b.take(KIND_STATES, 10);
    expect(second.buffer).not.toBe(msg.buffer);
    expect([...wordsOf(msg)].slice(0, 8)).toEqual([KIND_STATES, 5, 9, 2, 1, 2, 3, 10]);
    // Given back once sent, its buffer is the one filled after the next take.
    b.release(msg);
    b.push(Uint32Array.of(0, 0, 1), 3, 40, 41, 42, 43, 2);
    expect([...wordsOf(b.take(KIND_PROBE, 11))].slice(0, 5)).toEqual([KIND_PROBE, 5, 11, 1, 0]);
    expect(b.words.buffer).toBe(msg.buffer);
  });
});

describe.skipIf(!server)('on a redis-server with 3 workers', () => {
  let redis: RedisServer;
  let workers: WorkerProcess[];
  const url = (): string => redis.url;
  const local = (...args: string[]) => JSON.parse(tlbcheck(...args, '--json').stdout) as Record<string, unknown>;
  const remote = async (...args: string[]) => {
    const r = await tlbcheckAsync([...args, '--json', '--redis', url()]);
    return { code: r.code, doc: JSON.parse(r.stdout) as Record<string, any>, stderr: r.stderr };
  };
  /** Replaces workers that were stopped, so that 3 run again. */
  const topUp = async (): Promise<void> => {
    // A worker sent SIGTERM by the last test may still be finishing its job: wait for it to exit, or it counts as one of the 3 and no
    // replacement starts (the next search then waits for a partition nobody takes).
    await Promise.all(workers.filter((w) => w.child.killed && w.child.exitCode === null && w.child.signalCode === null).map((w) => new Promise((r) => w.child.once('exit', r))));
    const alive = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    workers = [...alive, ...(await startWorkers(url(), 3 - alive.length))];
  };

  beforeAll(async () => {
    redis = await startRedis(server);
    workers = await startWorkers(redis.url, 3);
  });
  afterAll(async () => {
    if (workers) await stopWorkers(workers);
    await redis?.stop();
  });

  describe('jobs: the output is the local one apart from timings', () => {
    it('matrix rows (with their minimization) as jobs', async () => {
      const args = ['matrix', '--only', 'arm-2.6.37'];
      const r = await remote(...args);
      expect(r.code).toBe(0);
      expect(r.doc.rows.length).toBe(4);
      expect(withoutTimings(r.doc)).toEqual(withoutTimings(local(...args)));
    });

    it('simulation runs as jobs: a violation, its run and seed, the minimization with shrinking candidates as jobs', async () => {
      const args = ['simulate', 'tlb', '--backend', 'x86-2.6.38', '--cpus', '3', '--pages', '2', '--gup', '1', '--tlb', 'broadcast', '--seed', '7'];
      const r = await remote(...args);
      expect(r.code).toBe(1);
      expect(r.doc.counterexample.minimization.tried.length).toBeGreaterThan(0);
      expect(withoutTimings(r.doc)).toEqual(withoutTimings(local(...args)));
    });

    it('simulation runs as jobs: nothing found (steps, distinct states, witnesses as locally)', async () => {
      const args = ['simulate', 'peterson', '--runs', '300'];
      const r = await remote(...args, '--runs-per-job', '7');
      expect(r.code).toBe(3);
      expect(r.doc.simulation.distinctStates).toBeGreaterThan(0);
      expect(withoutTimings(r.doc)).toEqual(withoutTimings(local(...args)));
    });

    it('check --minimize: shrinking candidates as jobs', async () => {
      const args = ['check', 'tlb', '--backend', 'arm-2.6.37', '--path', 'unmap_region', '--cpus', '3', '--pages', '2', '--vmas', '2', '--minimize'];
      const r = await remote(...args);
      expect(r.code).toBe(1);
      expect(r.doc.minimized.minimization.tried.length).toBeGreaterThan(1);
      expect(withoutTimings(r.doc)).toEqual(withoutTimings(local(...args)));
    });
  });

  describe('partitioned search: the sequential counts, verdicts and shortest lengths', () => {
    const summary = (d: Record<string, any>) => ({
      verdict: d.verdict,
      bound: d.bound,
      complete: d.complete,
      states: d.stats.states,
      transitions: d.stats.transitions,
      depth: d.stats.depth,
      violations: d.violations.map((v: { property: string; length: number }) => [v.property, v.length]).sort(),
      reachability: d.reachability,
      metrics: d.metrics,
    });
    const cases: string[][] = [
      ['philosophers', '--n', '14', '--all'],
      ['tlb', '--backend', 'arm-2.6.37', '--path', 'unmap_region', '--cpus', '3', '--pages', '2', '--vmas', '2', '--all'],
      ['tlb', '--backend', 'generic-6.18', '--cpus', '3', '--pages', '2', '--run', 'cpu0=munmap,cpu1=madvise_dontneed'],
      ['tlb-mini', '--ncpu', '6', '--npage', '3'],
      ['peterson'],
      ['philosophers', '--n', '10', '--all', '--max-depth', '5'],
      ['philosophers', '--n', '10', '--all', '--max-depth', '50'],
      ['philosophers', '--n', '10', '--all', '--max-depth', '10'], // the full depth: complete, with every transition
    ];
    for (const c of cases) {
      it(`check ${c.join(' ')} --partitions 3`, async () => {
        const want = tlbcheck('check', ...c, '--json');
        const r = await remote('check', ...c, '--partitions', '3');
        expect(r.code).toBe(want.code);
        expect(summary(r.doc)).toEqual(summary(JSON.parse(want.stdout)));
        expect(r.doc.partitioned.partitions).toBe(3);
        if (c[0] === 'philosophers' && c[2] === '14') {
          expect(r.doc.stats.states).toBe(228_486);
          // The sent cache keeps most of the successors already sent from going out again.
          expect(r.doc.partitioned.cacheHitsPerState).toBeGreaterThan(r.doc.partitioned.sentStatesPerState);
        }
      });
    }

    it('traces are rebuilt through the owners and replay (text report, witnesses)', async () => {
      const r = await tlbcheckAsync(['check', 'broken-mutex', '--redis', url(), '--partitions', '3']);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('VIOLATED: mutex');
      expect(r.stdout).toMatch(/partitions {2}3 on \d workers/);
      const w = await remote('check', 'peterson', '--partitions', '2');
      expect(w.doc.witnesses.map((x: { property: string; length: number }) => [x.property, x.length])).toEqual([
        ['p0-critical', 3],
        ['p1-enters-while-p0-waits', 5],
      ]);
    });

    it('bounds: --max-states and --max-depth end incomplete, as locally', async () => {
      const s = await remote('check', 'philosophers', '--n', '12', '--all', '--max-states', '1000', '--partitions', '3');
      expect(s.code).toBe(3);
      expect(s.doc).toMatchObject({ verdict: 'incomplete', bound: 'max-states', complete: false });
      expect(s.doc.continue).toContain('--max-states 4000');
      const d = await remote('check', 'philosophers', '--n', '12', '--all', '--max-depth', '4', '--partitions', '2');
      expect(d.code).toBe(3);
      expect(d.doc).toMatchObject({ verdict: 'incomplete', bound: 'max-depth' });
    });

    it('one partition is the whole search; over TCP on 127.0.0.1 too', async () => {
      const tcp = await startRedisTcp(server);
      const ws = await startWorkers(tcp.url, 2);
      try {
        const r = await tlbcheckAsync(['check', 'philosophers', '--n', '10', '--all', '--redis', tcp.url, '--partitions', '2', '--json']);
        expect(JSON.parse(r.stdout).stats.states).toBe(6726);
        const one = await tlbcheckAsync(['check', 'philosophers', '--n', '10', '--all', '--redis', tcp.url, '--partitions', '1', '--json']);
        expect(JSON.parse(one.stdout).stats.states).toBe(6726);
      } finally {
        await stopWorkers(ws);
        await tcp.stop();
      }
    });
  });

  describe('faults', () => {
    it('a worker killed mid-row: the matrix result is unchanged, each row counted once', async () => {
      await topUp();
      const run = tlbcheckAsync(['matrix', '--suite', 'examples', '--json', '--redis', url()]);
      // philosophers/17 runs for seconds: kill the worker that took it.
      const victim = await workerWith(workers, /started row philosophers\/17/);
      await new Promise((r) => setTimeout(r, 500));
      victim.child.kill('SIGKILL');
      const r = await run;
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      // Every row as pinned (verdicts, violated sets, lengths, costs), once each, the killed one with its full count.
      expect(doc.summary).toMatchObject({ rows: 6, matched: 6, mismatched: 0, incomplete: 0, notRun: 0 });
      expect(doc.rows.map((x: { id: string }) => x.id)).toEqual(['peterson', 'broken-mutex', 'philosophers/5', 'counters/4x5', 'tlb-mini/buggy', 'philosophers/17']);
      expect(doc.rows[5].states).toBe(3_215_042);
      // Another worker ran it again from the start.
      expect(workers.filter((w) => w !== victim && /started row philosophers\/17/.test(w.log)).length).toBeGreaterThan(0);
    });

    it('a worker stopped with SIGTERM mid-row hands the row back: unchanged result, exit 0 for the worker', async () => {
      await topUp();
      const args = ['matrix', '--suite', 'examples', '--only', 'philosophers/17'];
      for (const w of workers) w.log = '';
      const run = tlbcheckAsync([...args, '--json', '--redis', url()]);
      const victim = await workerWith(workers, /started row philosophers\/17/);
      await new Promise((r) => setTimeout(r, 500));
      const [code] = await stopWorkers([victim]);
      expect(code).toBe(0);
      expect(victim.log).toContain('handed back row philosophers/17');
      const r = await run;
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).summary).toMatchObject({ rows: 1, matched: 1 });
    });

    it('a worker killed mid-search: the partitioned search ends incomplete (worker-lost), never holds', async () => {
      await topUp();
      for (const w of workers) w.log = '';
      const run = tlbcheckAsync(['check', 'philosophers', '--n', '18', '--all', '--skip', 'deadlock', '--json', '--redis', url(), '--partitions', '3']);
      const victim = await workerWith(workers, /started partition/);
      await new Promise((r) => setTimeout(r, 3000));
      victim.child.kill('SIGKILL');
      const r = await run;
      expect(r.code).toBe(3);
      const doc = JSON.parse(r.stdout);
      expect(doc).toMatchObject({ verdict: 'incomplete', bound: 'worker-lost', complete: false });
      expect(doc.partitioned.lost).toMatch(/partition \d's worker .* stopped responding/);
      expect(doc.continue).toContain('--partitions 3');
      // The surviving partitions may write after the client deleted the search's keys: whatever they leave expires.
      for (const w of workers.filter((x) => x !== victim && /started partition/.test(x.log))) await workerWith([w], /finished partition/, 30_000);
      await new Promise((res) => setTimeout(res, 500));
      const { Redis } = await import('ioredis');
      const c = new Redis({ path: url().slice('unix://'.length) });
      try {
        const left = await c.keys('tlbcheck:s:*');
        for (const k of left) expect(await c.pttl(k), k).toBeGreaterThan(0);
      } finally {
        c.disconnect();
      }
    });

    it('a worker stopped with SIGTERM mid-search: incomplete at once, with the reason', async () => {
      await topUp();
      for (const w of workers) w.log = '';
      const run = tlbcheckAsync(['check', 'philosophers', '--n', '18', '--all', '--skip', 'deadlock', '--redis', url(), '--partitions', '3']);
      const victim = await workerWith(workers, /started partition/);
      await new Promise((r) => setTimeout(r, 3000));
      victim.child.kill('SIGTERM');
      const r = await run;
      expect(r.code).toBe(3);
      expect(r.stdout).toContain('INCOMPLETE (part of the partitioned search was lost (a worker or its Redis)');
      expect(r.stdout).toMatch(/LOST {8}partition \d: its worker .* was stopped \(SIGINT or SIGTERM\)/);
    });

    it('the client interrupted: exit 3, bound interrupted, the workers free again', async () => {
      await topUp();
      const r = await tlbcheckAsync(['check', 'philosophers', '--n', '18', '--all', '--skip', 'deadlock', '--json', '--redis', url(), '--partitions', '3', '--time-limit', '120'], (child) => setTimeout(() => child.kill('SIGINT'), 4000));
      expect(r.code).toBe(3);
      expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'incomplete', bound: 'interrupted' });
      // The partitions ended: the next search gets its workers.
      // A time limit, so that a partition left behind fails the test at once instead of leaving the search waiting for workers.
      const again = await remote('check', 'philosophers', '--n', '8', '--all', '--partitions', '3', '--time-limit', '60');
      expect(again.doc.stats.states, `the next search did not get its 3 workers; their logs:\n${workers.map((w) => w.log).join('\n---\n')}`).toBe(1154);
    });

    it('Redis lost under a partitioned search and a matrix: each ends incomplete (exit 3) with the reason, never waits forever', async () => {
      for (const args of [
        ['check', 'philosophers', '--n', '18', '--all', '--skip', 'deadlock', '--json', '--partitions', '2'],
        ['matrix', '--suite', 'examples', '--json'],
      ]) {
        const own = await startRedis(server!);
        const ws = await startWorkers(own.url, 2);
        try {
          const run = tlbcheckAsync([...args, '--redis', own.url]);
          await workerWith(ws, /started /);
          await new Promise((r) => setTimeout(r, 1500));
          await own.stop();
          const r = await run;
          expect(r.code, args[0]).toBe(3);
          if (args[0] === 'check') {
            const doc = JSON.parse(r.stdout);
            expect(doc).toMatchObject({ verdict: 'incomplete', bound: 'worker-lost', complete: false, partitioned: { redisLost: true } });
            expect(doc.partitioned.lost).toMatch(/^Redis at unix:\S+ stopped answering \(no connection for 10 s\)/);
          } else {
            // The rows done are kept, the others are not run, and the reason is in the document.
            const doc = JSON.parse(r.stdout);
            expect(doc.lost).toMatch(/^Redis at unix:\S+ stopped answering \(no connection for 10 s\): \d+ of 6 jobs done, the others given up$/);
            const done = Number(/: (\d+) of 6/.exec(doc.lost)![1]);
            expect(doc.rows.length).toBe(6);
            expect(doc.rows.filter((x: { status: string }) => x.status === 'not-run').length).toBe(6 - done);
            expect(doc.summary.notRun).toBe(6 - done);
          }
        } finally {
          await stopWorkers(ws);
        }
      }
    });

    it('Redis lost under a worker: one line while it retries, and SIGTERM still stops it in seconds (exit 2, the reason)', async () => {
      // A Redis of its own, so that the others' server stays up.
      const own = await startRedis(server!);
      const [w] = await startWorkers(own.url, 1);
      await own.stop();
      await new Promise((r) => setTimeout(r, 5000)); // two retries or more
      expect(w!.log.match(/queue error/g)?.length).toBe(1);
      expect(w!.log).toContain('(retrying until Redis is back)');
      const t0 = Date.now();
      const [code] = await stopWorkers([w!]);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(code).toBe(2);
      expect(w!.log).toMatch(/stopped after 0 jobs, but could not close cleanly: Redis at unix:\S+ stopped answering \(no connection for 2 s\); jobs in flight are handed out again/);
    });
  });
});
