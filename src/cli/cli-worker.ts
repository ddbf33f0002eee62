/**
 * The CLI's worker thread: runs `main` with an Io that forwards output to the
 * main thread (which writes it in order) and the shared interrupt flag the
 * main thread sets on a signal. Posts the exit code last.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Io } from './command.ts';
import { main } from './main.ts';

export interface CliWorkerData {
  readonly argv: readonly string[];
  readonly interrupt: Int32Array;
  readonly errIsTty: boolean;
  readonly outIsTty: boolean;
}

export type CliMessage = { readonly out: string } | { readonly err: string } | { readonly exit: number };

/** Runs the command; started by src/engine/worker-boot.mjs (from a bundle, or through tsx). */
export async function serve(): Promise<void> {
  const data = workerData as CliWorkerData;
  const port = parentPort!;
  const send = (m: CliMessage): void => port.postMessage(m);
  const io: Io = {
    out: (t) => send({ out: t.endsWith('\n') ? t : `${t}\n` }),
    err: (t) => send({ err: t }),
    errIsTty: data.errIsTty,
    outIsTty: data.outIsTty,
    interrupt: data.interrupt,
  };
  send({ exit: await main(data.argv, io) });
}
