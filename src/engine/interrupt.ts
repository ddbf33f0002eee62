/**
 * A stop request shared by every thread of one command: one Int32 in a
 * SharedArrayBuffer. The CLI's main thread sets it on SIGINT or SIGTERM; the
 * searches (sequential, parallel workers, suite workers) read it at every
 * progress tick and stop with the bound `interrupted`, so a command that runs
 * many searches (a suite, minimization, an ablation) only has to pass the
 * same flag into each of them. Plain data: it crosses to worker threads as is.
 */
export type InterruptFlag = Int32Array;

export function newInterruptFlag(): InterruptFlag {
  return new Int32Array(new SharedArrayBuffer(4));
}

export function interruptRequested(flag: InterruptFlag | undefined): boolean {
  return flag !== undefined && Atomics.load(flag, 0) !== 0;
}

export function requestInterrupt(flag: InterruptFlag): void {
  Atomics.store(flag, 0, 1);
}
