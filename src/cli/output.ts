/**
 * Output files: checked before any search starts (writable, not a directory,
 * distinct from each other and from the inputs), and written atomically
 * (a temporary file in the same directory, then a rename), so an interrupted
 * or failed run never leaves a half-written file behind.
 */
import { accessSync, constants, existsSync, mkdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { quote, UsageError } from './args.ts';

/** The nearest existing ancestor of an absolute path (the path itself when it exists). */
function existingAncestor(path: string): string {
  let p = path;
  while (!existsSync(p)) {
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  return p;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A directory that must exist and be writable (`--spill-dir`): checked before the work, not when it is first needed. */
export function checkWritableDirectory(option: string, path: string): string {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`--${option} ${quote(path)}: no such directory`);
  }
  if (!st.isDirectory()) throw new UsageError(`--${option} ${quote(path)}: not a directory`);
  if (!writable(path)) throw new UsageError(`--${option} ${quote(path)}: not writable`);
  return path;
}

/** The identity of a path for "distinct" checks: its real path when it exists, else its parent's real path plus its name. */
function identity(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return join(realpathSync(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

export interface OutputPath {
  /** The option it came from, e.g. `trace-out`. */
  readonly option: string;
  readonly path: string;
  /** A directory to be created if missing (regen --dir) rather than a file. */
  readonly directory?: boolean;
}

/**
 * Refuses, with one line, an output path that cannot be written or that
 * names the same file as another output or an input. Call before searching.
 */
export function checkOutputPaths(outputs: readonly OutputPath[], inputs: readonly string[] = []): void {
  const seen = new Map<string, string>();
  for (const input of inputs) seen.set(identity(input), 'an input file');
  for (const o of outputs) {
    const abs = resolve(o.path);
    const name = `--${o.option} ${quote(o.path, 200)}`;
    let st;
    try {
      st = statSync(abs);
    } catch {
      st = undefined;
    }
    if (o.directory) {
      if (st && !st.isDirectory()) throw new UsageError(`${name}: exists and is not a directory`);
      if (st && !writable(abs)) throw new UsageError(`${name}: the directory is not writable`);
      if (!st) {
        const up = existingAncestor(abs);
        if (!statSync(up).isDirectory()) throw new UsageError(`${name}: ${quote(up)} is not a directory`);
        if (!writable(up)) throw new UsageError(`${name}: cannot create it, ${quote(up)} is not writable`);
      }
    } else {
      if (st?.isDirectory()) throw new UsageError(`${name}: is a directory, not a file`);
      if (st && !st.isFile()) throw new UsageError(`${name}: exists and is not a regular file`);
      if (st && !writable(abs)) throw new UsageError(`${name}: the file is not writable`);
      const dir = dirname(abs);
      let dst;
      try {
        dst = statSync(dir);
      } catch {
        throw new UsageError(`${name}: the directory ${quote(dir)} does not exist`);
      }
      if (!dst.isDirectory()) throw new UsageError(`${name}: ${quote(dir)} is not a directory`);
      if (!writable(dir)) throw new UsageError(`${name}: the directory ${quote(dir)} is not writable`);
    }
    const id = identity(abs);
    const prev = seen.get(id);
    if (prev !== undefined) throw new UsageError(`${name}: the same file as ${prev}`);
    seen.set(id, `--${o.option}`);
  }
}

let tmpCounter = 0;

/** Writes `content` to `path` through a temporary file in the same directory and a rename. */
export function writeFileAtomic(path: string, content: string): void {
  const tmp = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.${++tmpCounter}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Creates a directory (and its parents) for outputs. */
export function ensureDirectory(path: string): void {
  mkdirSync(path, { recursive: true });
}
