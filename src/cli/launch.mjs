/**
 * The process side of the CLI, in plain JavaScript (no TypeScript loader on
 * this thread). A search is synchronous, and a Node signal handler runs only
 * when its thread returns to the event loop, so the command runs on a worker
 * thread (cli-worker.ts) while this thread writes its output and waits for
 * signals. The first SIGINT or SIGTERM sets the shared interrupt flag
 * (engine/interrupt.ts): the searches stop at their next tick, and the command
 * prints its partial report and exits 3. A second signal ends the process at
 * once (exit 130 or 143), unless it comes within a second of the first: a
 * parent that forwards signals (npm exec, npx) delivers Ctrl-C a second time,
 * on top of the terminal's own delivery to the process group.
 */
import { Worker } from 'node:worker_threads';

// The command's thread runs cli-worker.ts bundled (worker-boot.mjs), or through tsx when no bundle can be built.
const WORKER = new URL('../engine/worker-boot.mjs', import.meta.url);
const ENTRY = new URL('./cli-worker.ts', import.meta.url).href;

export function launch(argv) {
  const interrupt = new Int32Array(new SharedArrayBuffer(4));
  const workerData = { argv: [...argv], interrupt, errIsTty: process.stderr.isTTY === true, outIsTty: process.stdout.isTTY === true, boot: { entry: ENTRY } };
  const worker = new Worker(WORKER, { workerData, stdout: false, stderr: false });
  let exitCode;
  let firstSignal = 0;
  let finished = false;
  const onSignal = (sig) => {
    const now = Date.now();
    // The command is done and its output written: exit with its own code, now.
    if (finished) process.exit(exitCode ?? 2);
    if (firstSignal !== 0) {
      if (now - firstSignal < 1000) return; // the same interrupt, delivered twice
      process.exit(sig === 'SIGTERM' ? 143 : 130);
    }
    firstSignal = now;
    Atomics.store(interrupt, 0, 1);
    if (process.stderr.isTTY) {
      process.stderr.write(`\r\x1b[2Ktlbcheck: ${sig}: stopping; the partial report follows (${sig === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again quits at once)\n`);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed pipe (tlbcheck ... | head) stops the command instead of crashing it.
  process.stdout.on('error', () => {
    Atomics.store(interrupt, 0, 1);
    exitCode ??= 3;
  });
  worker.on('message', (m) => {
    if ('out' in m) process.stdout.write(m.out);
    else if ('err' in m) process.stderr.write(m.err);
    else {
      exitCode ??= m.exit;
      // The command is done and its output sent: a thread that stays up after it (a client library still retrying a lost
      // server) must not keep the process from exiting.
      setTimeout(() => void worker.terminate(), 2000).unref();
    }
  });
  worker.on('error', (e) => {
    if (process.env['TLBCHECK_DEBUG']) process.stderr.write(`${e.stack ?? e.message}\n`);
    else process.stderr.write(`tlbcheck: internal error: ${String(e.message).split('\n')[0]} (set TLBCHECK_DEBUG=1 for details)\n`);
    exitCode ??= 2;
  });
  // The handlers stay to the end, and the process exits at once when the command is done rather than
  // when its event loop drains: during Node's own teardown the handlers are gone, and a signal then
  // (a second Ctrl-C, forwarded by npm exec) would kill the process with the default action and lose
  // the exit code. Pipes and files are written synchronously on Linux; anything still queued (a TTY
  // elsewhere) is flushed first.
  worker.on('exit', () => {
    finished = true;
    const code = exitCode ?? 2;
    process.exitCode = code;
    const pending = [process.stdout, process.stderr].filter((w) => w.writableLength > 0 && !w.destroyed);
    if (pending.length === 0) process.exit(code);
    let left = pending.length;
    for (const w of pending) {
      const done = () => {
        if (--left === 0) process.exit(code);
      };
      w.once('drain', done);
      w.once('error', done);
    }
  });
}
