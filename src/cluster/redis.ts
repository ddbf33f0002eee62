/**
 * Reaching Redis: the `--redis URL` forms, connections that fail with one
 * clear line instead of retrying silently, the key names of tlbcheck's own
 * coordination data, and the worker registry (heartbeats) that progress lines
 * and the partitioned search read. BullMQ keeps its jobs under the same
 * prefix. Any server that speaks the Redis protocol (Redis 6.2+, Valkey)
 * works: only plain commands, lists, sorted sets and small Lua scripts are used.
 */
import { hostname } from 'node:os';
import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { IncompleteError, quote, UsageError } from '../cli/args.ts';
import type { RedisTarget } from './options.ts';

export { parseRedisUrl, type RedisTarget } from './options.ts';

/** ioredis options for a target (BullMQ takes the same). */
export function redisOptions(t: RedisTarget, extra: RedisOptions = {}): RedisOptions {
  return {
    ...(t.path !== undefined ? { path: t.path } : { host: t.host!, port: t.port! }),
    ...(t.username !== undefined ? { username: t.username } : {}),
    ...(t.password !== undefined ? { password: t.password } : {}),
    ...(t.db !== undefined ? { db: t.db } : {}),
    ...(t.tls ? { tls: {} } : {}),
    // Blocking commands and BullMQ's workers need requests that wait for a reconnection rather than fail.
    maxRetriesPerRequest: null,
    connectTimeout: 5000,
    // A closed connection whose server does not answer the close at once is destroyed soon after.
    disconnectTimeout: 100,
    ...extra,
  };
}

/** BullMQ's connection options for a target (it opens its own connections). */
export function bullConnection(t: RedisTarget): ConnectionOptions {
  return redisOptions(t) as ConnectionOptions;
}

/**
 * A connection that is known to work: the first attempt must succeed within
 * a few seconds (else a usage error naming the URL and the cause); after
 * that, ioredis reconnects by itself.
 */
export async function connect(t: RedisTarget, name: string, lostMs = REDIS_LOST_MS): Promise<Redis> {
  const probe = new Redis(redisOptions(t, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectionName: name }));
  let last: Error | undefined;
  probe.on('error', (e: Error) => (last = e));
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    probe.disconnect();
    const err = (last ?? e) as NodeJS.ErrnoException;
    // ioredis's own wording for a server that is not Redis ends "Please report this.": it is not ioredis's bug here.
    const why = err.code ?? err.message.replace(/\s*Please report this\.?$/, '').replace(/\.$/, '').replace(/^Unknown RESP type/, 'not a Redis server: unknown RESP type');
    throw new UsageError(`--redis ${quote(t.url)}: cannot reach Redis (${why}); start one with \`redis-server --bind 127.0.0.1\` or give its address`);
  }
  probe.disconnect();
  const c = new Redis(redisOptions(t, { connectionName: name, retryStrategy: (n: number) => Math.min(100 * n, 2000) }));
  c.on('error', () => {
    // Reconnections are retried; the commands waiting on them say what failed.
  });
  // Redis answered the probe a moment ago; one that dies or stalls now must end the command, not hang it.
  const watch = watchConnection(c, t.url, lostMs);
  try {
    await watch.guard(c.ping());
  } catch (e) {
    c.disconnect();
    throw e;
  } finally {
    watch.stop();
  }
  return c;
}

/** The expiry a partition sets on the search keys it writes (the client deletes them at the end; this bounds a leftover). */
export const SEARCH_KEY_TTL_MS = 24 * 3_600_000;

/**
 * RPUSH, setting the list's expiry in the same round trip: a partition may still write after its client deleted the
 * search's keys (a search that lost a worker), and what it writes then must not stay for good. The push's own error
 * is thrown (a pipeline returns it instead); the expiry's is not needed.
 */
export async function rpushExpiring(c: Redis, key: string, value: string | Buffer): Promise<void> {
  const r = await c.pipeline().rpush(key, value).pexpire(key, SEARCH_KEY_TTL_MS).exec();
  if (r?.[0]?.[0]) throw r[0][0];
}

/** How long a client waits for a lost Redis to come back before it gives its run up. */
export const REDIS_LOST_MS = 10_000;

/** Redis went away mid-run and did not come back in time. */
export class RedisLost extends IncompleteError {
  constructor(
    message: string,
    /** A batch's results taken before the loss, by job index (JobClient.run). */
    readonly partial?: ReadonlyMap<number, unknown>,
  ) {
    super(message);
  }
}

/** What watchConnection returns. */
export interface ConnectionWatch {
  /** `p`, unless Redis is lost first: then a RedisLost rejection. */
  guard<T>(p: Promise<T>): Promise<T>;
  isLost(): boolean;
  stop(): void;
}

/** The part of a connection a watch uses. */
export type Watchable = Pick<Redis, 'status' | 'ping'>;

/**
 * A watch on a connection that carries no blocking command: Redis is lost
 * when, for `ms`, the connection has had no server or a PING (one a second)
 * has gone unanswered (a paused server, a host cut off with its socket still
 * open). ioredis holds a command until its connection is back, and BullMQ's
 * commands have no retry limit: without a guard, a client whose Redis died
 * would wait forever.
 */
export function watchConnection(c: Watchable, url: string, ms = REDIS_LOST_MS): ConnectionWatch {
  let downSince: number | undefined;
  let pingSentAt: number | undefined;
  let lastPing = 0;
  let lost: RedisLost | undefined;
  // The guards waiting now, each dropped once its promise settles (a race against one never-settling promise
  // would keep every result it ever passed alive).
  const waiters = new Set<(e: Error) => void>();
  const tick = (): void => {
    const now = Date.now();
    // Silent since the connection dropped, or since the PING still unanswered was sent.
    if (c.status !== 'ready') downSince ??= now;
    else downSince = pingSentAt;
    if (c.status === 'ready' && pingSentAt === undefined && now - lastPing >= 1000) {
      lastPing = now;
      pingSentAt = now;
      c.ping().then(
        () => (pingSentAt = undefined),
        () => (pingSentAt = undefined),
      );
    }
    if (downSince === undefined || now - downSince < ms) return;
    clearInterval(timer);
    lost = new RedisLost(`Redis at ${url} stopped answering (${c.status === 'ready' ? 'no reply' : 'no connection'} for ${ms / 1000} s)`);
    for (const w of waiters) w(lost);
    waiters.clear();
  };
  const timer = setInterval(tick, Math.min(250, ms / 4));
  timer.unref();
  return {
    guard<T>(p: Promise<T>): Promise<T> {
      if (lost) return Promise.reject(lost);
      return new Promise<T>((resolve, reject) => {
        waiters.add(reject);
        p.then(resolve, reject).finally(() => waiters.delete(reject));
      });
    },
    isLost: () => lost !== undefined,
    stop: () => clearInterval(timer),
  };
}

/** Closes connections without waiting for replies still in flight. */
export function disconnectAll(...cs: (Redis | undefined)[]): void {
  for (const c of cs) c?.disconnect();
}

/** Every key tlbcheck itself writes starts with this (BullMQ's jobs use it as their prefix too). */
export const PREFIX = 'tlbcheck';
/** The BullMQ queue every job goes through. */
export const QUEUE = 'jobs';
/**
 * The job protocol: a worker refuses a job of another protocol (a different
 * tlbcheck version) instead of running it with different semantics.
 */
export const PROTOCOL = 1;

export const keys = {
  /** Sorted set: worker id -> Redis server time (s) of its last heartbeat. */
  workers: `${PREFIX}:workers`,
  /** String with a short TTL while a worker runs the job: its liveness, refreshed by the worker process. */
  alive: (jobId: string) => `${PREFIX}:alive:${jobId}`,
  /** Set by a client that stopped waiting: workers stop the batch's jobs. */
  cancel: (batch: string) => `${PREFIX}:cancel:${batch}`,
  /** Keys of one partitioned search. */
  search: (id: string) => ({
    inbox: (p: number) => `${PREFIX}:s:${id}:in:${p}`,
    cmd: (p: number) => `${PREFIX}:s:${id}:cmd:${p}`,
    ctl: `${PREFIX}:s:${id}:ctl`,
    claim: (p: number) => `${PREFIX}:s:${id}:claim:${p}`,
    progress: `${PREFIX}:s:${id}:progress`,
    /** Refreshed by the search's client while it runs: partitions give up when it is gone. */
    client: `${PREFIX}:s:${id}:client`,
  }),
};

/** Seconds a worker's heartbeat counts: a worker silent for longer is not counted. */
export const HEARTBEAT_SECONDS = 5;

const BEAT = `redis.call('ZADD', KEYS[1], redis.call('TIME')[1], ARGV[1]); return 1`;
const COUNT = `local t = tonumber(redis.call('TIME')[1]); redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t - 3600); return redis.call('ZCOUNT', KEYS[1], t - tonumber(ARGV[1]), '+inf')`;

/** Records that worker `id` is alive (Redis's clock, so machines need not agree on the time). */
export async function heartbeat(c: Redis, id: string): Promise<void> {
  await c.eval(BEAT, 1, keys.workers, id);
}

export async function leave(c: Redis, id: string): Promise<void> {
  await c.zrem(keys.workers, id);
}

/** Workers with a heartbeat in the last HEARTBEAT_SECONDS. */
export async function workerCount(c: Redis): Promise<number> {
  return Number(await c.eval(COUNT, 1, keys.workers, String(HEARTBEAT_SECONDS)));
}

/** A worker's name in the registry and in messages: host:pid, plus a thread number when it runs several jobs. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

/** A random id for a batch of jobs or a search. */
export function newId(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 2 ** 32).toString(36)}`;
}
