/**
 * FIFO of packed states for breadth-first search: fixed-size chunks of
 * Uint32Array, released (or kept for reuse) as soon as the head has moved
 * past them, so the frontier costs `words * 4` bytes per queued state and
 * little more.
 *
 * When the chunks held in memory would outgrow `memoryBytes`, the newest
 * full chunk is written to disk instead (it is the last to be read), as
 * TLC's disk queue does: one file per BFS level (`nextLevel()` starts the
 * next one), appended sequentially, read back sequentially when the head
 * reaches it, and deleted once read. The order of states never changes, so
 * a search that spills visits exactly what it visits in memory.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Chunk buffers kept for reuse (first touches of new memory are slow on virtual machines). */
const SPARES = 8;

/** A full chunk: its states in memory, or its place in a spill file. */
interface Chunk {
  data: Uint32Array | undefined;
  /** States in the chunk. */
  readonly count: number;
  file: number;
  offset: number;
}

interface SpillFile {
  readonly path: string;
  fd: number;
  /** Bytes written so far. */
  end: number;
  /** Chunks of this file not read back yet. */
  pending: number;
  /** The level is complete: nothing more is written to this file. */
  closed: boolean;
}

export interface QueueOptions {
  /** Bytes of states the queue may hold in memory; beyond that it spills to disk (default: no limit). */
  readonly memoryBytes?: number;
  /** Directory for spill files (default: the OS temporary directory). */
  readonly spillDir?: string;
  /** Largest chunk, in bytes (default: 1 MiB, at most a quarter of memoryBytes). Chunks start at 4 KiB and double. */
  readonly chunkBytes?: number;
}

export class StateQueue {
  /** Full chunks waiting, oldest first, from index `fullStart`. */
  private full: (Chunk | undefined)[] = [];
  private fullStart = 0;
  private head: Uint32Array | undefined;
  private headPos = 0;
  private headCount = 0;
  private tail: Uint32Array | undefined;
  private tailPos = 0;
  private tailCap = 0;
  /** States per chunk of the next new buffer (doubles up to maxPerChunk). */
  private perChunk: number;
  private readonly maxPerChunk: number;
  private readonly memoryBytes: number;
  /** Bytes of chunk buffers allocated now (head, tail, full chunks in memory, spares). */
  private held = 0;
  private readonly spare: Uint32Array[] = [];
  private dir: string | undefined;
  private readonly files: SpillFile[] = [];
  /** The file the current level spills to, or -1. */
  private levelFile = -1;
  length = 0;
  /** Largest number of states queued at once. */
  peak = 0;
  /** Largest number of bytes of chunk buffers held in memory at once. */
  peakBytes = 0;
  /** States written to disk, in all. */
  spilledStates = 0;

  constructor(private readonly words: number, private readonly options: QueueOptions = {}) {
    this.memoryBytes = options.memoryBytes ?? Infinity;
    const most = options.chunkBytes ?? Math.min(1 << 20, Math.max(words * 4, Math.floor(this.memoryBytes / 4)));
    this.maxPerChunk = Math.max(1, Math.floor(most / 4 / Math.max(1, words)));
    this.perChunk = Math.min(this.maxPerChunk, Math.max(1, Math.floor(4096 / 4 / Math.max(1, words))));
  }

  /** Bytes of chunk buffers held in memory now. */
  get bytes(): number {
    return this.held;
  }

  /** Spill files written so far. */
  get spillFiles(): number {
    return this.files.length;
  }

  /** States pushed from now on belong to the next BFS level: the current level's file is complete. */
  nextLevel(): void {
    if (this.levelFile >= 0) {
      const f = this.files[this.levelFile]!;
      f.closed = true;
      this.release(f);
      this.levelFile = -1;
    }
  }

  push(s: Uint32Array): void {
    if (this.tailPos === this.tailCap) this.rotate();
    const base = this.tailPos * this.words;
    const t = this.tail!;
    for (let i = 0; i < this.words; i++) t[base + i] = s[i]!;
    this.tailPos++;
    if (++this.length > this.peak) this.peak = this.length;
  }

  /** Pushes a state of the queue's words less two (the first of `s`), then `x` and `y`: a state with two words of its own, in one copy. */
  push2(s: Uint32Array, x: number, y: number): void {
    if (this.tailPos === this.tailCap) this.rotate();
    const t = this.tail!;
    const n = this.words - 2;
    let o = this.tailPos * this.words;
    for (let i = 0; i < n; i++) t[o++] = s[i]!;
    t[o] = x;
    t[o + 1] = y;
    this.tailPos++;
    if (++this.length > this.peak) this.peak = this.length;
  }

  /** Copies the oldest state into `out` and removes it. Caller checks `length > 0`. */
  shift(out: Uint32Array): void {
    const words = this.words;
    if (this.headPos === this.headCount) this.advance();
    const chunk = this.head!;
    const base = this.headPos * words;
    for (let i = 0; i < words; i++) out[i] = chunk[base + i]!;
    this.headPos++;
    this.length--;
  }

  /** Closes and deletes the spill files (a search calls it when it ends, however it ends). */
  dispose(): void {
    for (const f of this.files) {
      if (f.fd >= 0) closeSync(f.fd);
      f.fd = -1;
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  /** A buffer for a chunk: a spare, else a new one (the next size up). */
  private alloc(): Uint32Array {
    const reused = this.spare.pop();
    if (reused) return reused;
    const b = new Uint32Array(this.perChunk * this.words);
    this.perChunk = Math.min(this.maxPerChunk, this.perChunk * 2);
    this.held += b.byteLength;
    if (this.held > this.peakBytes) this.peakBytes = this.held;
    return b;
  }

  private setTail(b: Uint32Array): void {
    this.tail = b;
    this.tailPos = 0;
    this.tailCap = b.length / this.words;
  }

  /** The tail chunk is full (or there is none yet): queue it, on disk when memory is short, and start the next. */
  private rotate(): void {
    const t = this.tail;
    if (!t) {
      this.setTail(this.alloc());
      return;
    }
    const c: Chunk = { data: t, count: this.tailCap, file: -1, offset: 0 };
    this.full.push(c);
    if (this.spare.length === 0 && this.held + this.perChunk * this.words * 4 > this.memoryBytes) {
      this.spill(c);
      c.data = undefined;
      this.setTail(t); // written out: its buffer is the new tail
    } else {
      this.setTail(this.alloc());
    }
  }

  private spill(c: Chunk): void {
    if (this.levelFile < 0) {
      this.dir ??= mkdtempSync(join(this.options.spillDir ?? tmpdir(), 'tlbcheck-queue-'));
      const path = join(this.dir, `level-${this.files.length}.states`);
      this.files.push({ path, fd: openSync(path, 'w+'), end: 0, pending: 0, closed: false });
      this.levelFile = this.files.length - 1;
    }
    const f = this.files[this.levelFile]!;
    const data = c.data!;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, c.count * this.words * 4);
    let done = 0;
    while (done < bytes.length) done += writeSync(f.fd, bytes, done, bytes.length - done, f.end + done);
    c.file = this.levelFile;
    c.offset = f.end;
    f.end += bytes.length;
    f.pending++;
    this.spilledStates += c.count;
  }

  /** The head chunk is used up: take the next full chunk (read back if spilled), else the partial tail. */
  private advance(): void {
    const old = this.head;
    this.head = undefined;
    if (old) {
      if (this.spare.length < SPARES && this.held <= this.memoryBytes) this.spare.push(old);
      else this.held -= old.byteLength;
    }
    if (this.fullStart < this.full.length) {
      const c = this.full[this.fullStart]!;
      this.full[this.fullStart++] = undefined;
      if (this.fullStart >= 1024 && this.fullStart * 2 >= this.full.length) {
        this.full = this.full.slice(this.fullStart);
        this.fullStart = 0;
      }
      this.head = c.data ?? this.readBack(c);
      this.headCount = c.count;
    } else {
      // Only the partly filled tail is left: read it where it is; pushes go to a fresh tail.
      this.head = this.tail!;
      this.headCount = this.tailPos;
      this.tail = undefined;
      this.tailPos = 0;
      this.tailCap = 0;
    }
    this.headPos = 0;
  }

  private readBack(c: Chunk): Uint32Array {
    const f = this.files[c.file]!;
    let buf = this.alloc();
    if (buf.length < c.count * this.words) {
      this.held -= buf.byteLength;
      buf = new Uint32Array(c.count * this.words);
      this.held += buf.byteLength;
      if (this.held > this.peakBytes) this.peakBytes = this.held;
    }
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, c.count * this.words * 4);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(f.fd, bytes, done, bytes.length - done, c.offset + done);
      if (n === 0) throw new Error(`spill file ${f.path} is shorter than what was written to it`);
      done += n;
    }
    f.pending--;
    this.release(f);
    return buf;
  }

  /** Deletes a file whose level is complete and whose chunks were all read back. */
  private release(f: SpillFile): void {
    if (!f.closed || f.pending > 0 || f.fd < 0) return;
    closeSync(f.fd);
    f.fd = -1;
    unlinkSync(f.path);
  }
}
