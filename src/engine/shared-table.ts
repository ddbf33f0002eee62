/**
 * The visited set of the parallel search: the sequential table's layout
 * (interleaved 64-bit fingerprints, home ⌊lo · capacity / 2³²⌋, 75-85% full,
 * grown in place by an eighth) in a growable SharedArrayBuffer, so that
 * every thread probes the same memory. Slot i is [2i] = low word, [2i+1] =
 * high word; a zero low word means empty. An insert claims the slot with
 * compare-and-swap on the low word, then publishes the high word; a reader
 * that finds a matching low word waits for the high word before comparing
 * it. Neither half of a stored fingerprint is ever zero (sharedKey).
 *
 * Growth needs every other thread parked (parallel-core.ts): the capacity
 * lives in the control block, and each thread's view refreshes after one.
 */
import { home, rehashInPlace } from './visited.ts';

const MAX_LOAD = 0.85;
const GROWTH = 1.125;
/** Largest table: a growable SharedArrayBuffer holds at most 4 GiB. */
const MAX_BYTES = 2 ** 32;

export function newSharedTableBuffer(capacity: number): SharedArrayBuffer {
  const make = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
  return new make(capacity * 8, { maxByteLength: MAX_BYTES });
}

/** Makes both halves non-zero (the empty marker and the "being written" marker). */
export function sharedKey(hi: number, lo: number, out: Uint32Array): void {
  out[0] = hi === 0 ? 0x6a09e667 : hi;
  out[1] = lo === 0 ? 0x9e3779b9 : lo;
}

/** One thread's handle on the shared table. */
export class SharedTable {
  private t: Uint32Array;
  cap: number;
  private scale: number;

  constructor(readonly buffer: SharedArrayBuffer, capacity: number) {
    this.cap = capacity;
    this.t = new Uint32Array(buffer, 0, 2 * capacity);
    this.scale = capacity / 4294967296;
  }

  /** Most states the current capacity takes before it must grow. */
  get limit(): number {
    return Math.floor(this.cap * MAX_LOAD);
  }

  get bytes(): number {
    return this.cap * 8;
  }

  get nextCapacity(): number {
    return Math.ceil(this.cap * GROWTH);
  }

  /** Whether the next growth still fits a growable buffer. */
  get canGrow(): boolean {
    return this.nextCapacity * 8 <= MAX_BYTES;
  }

  /** After another thread grew the table. */
  refresh(capacity: number): void {
    if (capacity === this.cap) return;
    this.cap = capacity;
    this.t = new Uint32Array(this.buffer, 0, 2 * capacity);
    this.scale = capacity / 4294967296;
  }

  /** Grows the table in place; every other thread must be parked. Returns the new capacity. */
  grow(): number {
    const cap2 = this.nextCapacity;
    const g = this.buffer as unknown as { grow(n: number): void };
    g.grow(cap2 * 8);
    const t2 = new Uint32Array(this.buffer, 0, 2 * cap2);
    rehashInPlace(t2, 2, this.cap, cap2);
    this.t = t2;
    this.cap = cap2;
    this.scale = cap2 / 4294967296;
    return cap2;
  }

  /** Inserts (hi, lo), both non-zero; true when it was not there. Safe from any number of threads. */
  insert(hi: number, lo: number): boolean {
    const t = this.t;
    const cap = this.cap;
    let i = home(lo, this.scale);
    for (;;) {
      const j = i << 1;
      let cur = t[j]!;
      if (cur === 0) {
        const prev = Atomics.compareExchange(t, j, 0, lo);
        if (prev === 0) {
          Atomics.store(t, j + 1, hi);
          return true;
        }
        cur = prev;
      }
      if (cur === lo) {
        let h = t[j + 1]!;
        while (h === 0) h = Atomics.load(t, j + 1); // the winner is about to publish it
        if (h === hi) return false;
      }
      if (++i === cap) i = 0;
    }
  }

  has(hi: number, lo: number): boolean {
    const t = this.t;
    const cap = this.cap;
    let i = home(lo, this.scale);
    for (;;) {
      const j = i << 1;
      const cur = t[j]!;
      if (cur === 0) return false;
      if (cur === lo) {
        let h = t[j + 1]!;
        while (h === 0) h = Atomics.load(t, j + 1);
        if (h === hi) return true;
      }
      if (++i === cap) i = 0;
    }
  }

  /** Reads a fingerprint's home slot (a prefetch for batched probes). */
  touch(lo: number): number {
    return this.t[home(lo, this.scale) << 1]!;
  }
}
