/**
 * What the command line needs of the cluster before it talks to one: the
 * `--redis URL` forms, the progress line of a batch of jobs, the default
 * runs per simulation job. It loads neither BullMQ nor ioredis (about half a
 * second at every start), so that the commands load them only with --redis.
 */
import { quote, UsageError } from '../cli/args.ts';

/** Where Redis is: TCP (optionally TLS) or a unix socket, as ioredis options. Plain data: it crosses to threads and jobs. */
export interface RedisTarget {
  /** The URL as given (for messages and for the workers' own connections). */
  readonly url: string;
  readonly host?: string;
  readonly port?: number;
  readonly path?: string;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
  readonly tls?: boolean;
}

const FORMS = 'redis://[user:password@]host[:port][/db], rediss://... (TLS) or unix:///path/to/socket';

/** Parses `--redis URL`; a malformed URL is a usage error. */
export function parseRedisUrl(url: string): RedisTarget {
  const bad = (why: string): never => {
    throw new UsageError(`--redis ${quote(url)}: ${why} (expected ${FORMS})`);
  };
  if (url.startsWith('/')) return { url, path: url };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return bad('not a URL');
  }
  if (u.protocol === 'unix:') {
    const path = decodeURIComponent(u.pathname);
    if (!path.startsWith('/') || path === '/') bad('a unix socket URL needs an absolute path');
    return { url, path };
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') bad(`unknown scheme ${quote(u.protocol)}`);
  if (!u.hostname) bad('no host');
  const port = u.port === '' ? 6379 : Number(u.port);
  let db: number | undefined;
  const rest = u.pathname.replace(/^\//, '');
  if (rest !== '') {
    if (!/^\d+$/.test(rest)) bad(`the database must be a number, not ${quote(rest)}`);
    db = Number(rest);
  }
  return {
    url,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== undefined ? { db } : {}),
    ...(u.protocol === 'rediss:' ? { tls: true } : {}),
  };
}

export interface BatchProgress {
  readonly total: number;
  readonly done: number;
  readonly running: number;
  readonly queued: number;
  readonly workers: number;
  readonly seconds: number;
}

/** The one-line progress of a batch: jobs done, running and queued, and the workers. */
export function batchLine(what: string, p: BatchProgress): string {
  return `${what}: ${p.done} of ${p.total} jobs done, ${p.running} running, ${p.queued} queued; ${p.workers} worker${p.workers === 1 ? '' : 's'}${p.workers === 0 ? ' (start `tlbcheck worker --redis URL`)' : ''}`;
}

/** Runs per job: about 64 jobs, at most 200,000 steps (a few MB of fingerprints) each. */
export function runsPerJob(runs: number, depth: number): number {
  return Math.max(1, Math.min(Math.ceil(runs / 64), Math.floor(200_000 / Math.max(1, depth))));
}
