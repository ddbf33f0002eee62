/** Runs the real CLI as a child process, as a user would. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/tlbcheck.mjs', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function tlbcheck(...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A one-line error: exactly one line on stderr, no stack trace. */
export function isOneLineError(r: Run): boolean {
  const lines = r.stderr.trimEnd().split('\n');
  return lines.length === 1 && lines[0]!.startsWith('tlbcheck: ') && !/\n\s+at /.test(r.stderr);
}
