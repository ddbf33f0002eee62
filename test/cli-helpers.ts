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

/**
 * Starts the CLI, sends `signal` after `afterMs`, and collects the result: what
 * a user pressing Ctrl-C (or a supervisor sending SIGTERM) sees.
 */
export async function tlbcheckInterrupted(signal: NodeJS.Signals, afterMs: number, ...args: string[]): Promise<Run & { ms: number }> {
  const { spawn } = await import('node:child_process');
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let sentAt = 0;
    const timer = setTimeout(() => {
      sentAt = Date.now();
      child.kill(signal);
    }, afterMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, ms: sentAt ? Date.now() - sentAt : -1 });
    });
  });
}
