/**
 * Global setup: finds Debian's redis-server for the cluster tests, or
 * installs it with apt-get when running as root. Otherwise it prints one
 * line saying how to install it, and only the tests that need it are
 * skipped. Under CI (CI=true) a missing server is an error: CI never skips them.
 */
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { findRedisServer } from './redis-helpers.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of redis-server, or '' when it is not available (the cluster tests skip). */
    redisServer: string;
  }
}

function aptInstall(): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): boolean => spawnSync('apt-get', ['install', '-y', '-q', 'redis-server'], { stdio: 'ignore', env, timeout: 600_000 }).status === 0;
  if (install()) return;
  spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore', env, timeout: 600_000 });
  install();
}

export default function setup(project: TestProject): void {
  let bin = findRedisServer();
  if (!bin && process.getuid?.() === 0) {
    process.stderr.write('redis-server is missing: installing Debian\'s redis-server with apt-get for the cluster tests...\n');
    aptInstall();
    bin = findRedisServer();
  }
  if (!bin) {
    if (process.env['CI']) throw new Error('redis-server is missing and could not be installed: the cluster tests cannot run (apt-get install redis-server)');
    process.stderr.write('redis-server not found: the cluster (--redis) tests are skipped; install it with `sudo apt-get install redis-server` to run them\n');
  }
  project.provide('redisServer', bin ?? '');
}
