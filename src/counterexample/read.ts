/**
 * Reading an input file safely: only a regular file, at most `maxBytes`,
 * valid UTF-8. A FIFO is refused without blocking (it is opened non-blocking
 * and checked before anything is read), and so are devices such as
 * /dev/zero and anything larger than the cap.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export class InputFileError extends Error {}

/** Trace files are a few hundred kilobytes; anything beyond this is not one. */
export const MAX_TRACE_FILE_BYTES = 32 * 2 ** 20;

function kindOf(st: ReturnType<typeof fstatSync>): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

export function readInputFile(path: string, maxBytes = MAX_TRACE_FILE_BYTES): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new InputFileError(`cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputFileError(`is ${kindOf(st)}, not a regular file`);
    if (st.size > maxBytes) throw new InputFileError(`is ${(st.size / 2 ** 20).toFixed(1)} MiB, larger than the ${maxBytes / 2 ** 20} MiB a trace file may be`);
    // Read at most maxBytes + 1, whatever the size said (the file may grow meanwhile).
    const buf = Buffer.alloc(Math.min(maxBytes + 1, Math.max(st.size + 1, 4096)));
    let n = 0;
    for (;;) {
      if (n === buf.length) break;
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > maxBytes) throw new InputFileError(`is larger than the ${maxBytes / 2 ** 20} MiB a trace file may be`);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, n));
    } catch {
      throw new InputFileError('is not UTF-8 text');
    }
  } finally {
    closeSync(fd);
  }
}
