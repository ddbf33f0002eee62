/**
 * The visited set of the parallel search: the sequential table's layout
 * (interleaved 64-bit fingerprints, home ⌊lo · capacity / 2³²⌋, 85% full at
 * most, grown in place as visited.ts grows it) in a growable SharedArrayBuffer, so that
 * every thread probes the same memory. Slot i is [2i] = low word, [2i+1] =
 * high word; a zero low word means empty. An insert claims the slot with
 * compare-and-swap on the low word, then publishes the high word; a reader
 * that finds a matching low word waits for the high word before comparing
 * it. Neither half of a stored fingerprint is ever zero (sharedKey).
 *
 * Growth needs every other thread parked (parallel-core.ts), and the parked
 * threads help: the slots are rehashed from the top down in bands, each
 * band's parts taken by whichever threads claim them (grow, moveBand). The
 * capacity lives in the control block, and each thread's view refreshes
 * after a growth.
 *
 * The words are read as Int32: a uint32 above 2^31 is a heap number in V8,
 * and every value passed to an Atomics call or a function that is not
 * inlined would be boxed (hundreds of MB of garbage a second). Only the
 * home computation reads the low word unsigned.
 */
import { grownCapacity, home, rehashInPlace } from './visited.ts';

const MAX_LOAD = 0.85;
/** Largest table: a growable SharedArrayBuffer holds at most 4 GiB. */
const MAX_BYTES = 2 ** 32;
/** Below this slot one thread finishes a growth alone (each band is the last one's top over the growth factor). */
const BOTTOM = 1 << 16;
/** Displacement an entry may have without being set aside. */
const BAND_SLACK = 64;

export function newSharedTableBuffer(capacity: number): SharedArrayBuffer {
  const make = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
  return new make(capacity * 8, { maxByteLength: MAX_BYTES });
}

/** Makes both halves non-zero (the empty marker and the "being written" marker); `out` holds them as int32. */
export function sharedKey(hi: number, lo: number, out: Int32Array): void {
  out[0] = hi === 0 ? 0x6a09e667 : hi;
  out[1] = lo === 0 ? 0x1e3779b9 : lo;
}

/** The home slot of a low word read as int32. */
function homeOf(lo: number, scale: number): number {
  return home(lo >>> 0, scale);
}

/** One thread's handle on the shared table. */
export class SharedTable {
  private t: Int32Array;
  cap: number;
  private scale: number;

  constructor(readonly buffer: SharedArrayBuffer, capacity: number) {
    this.cap = capacity;
    this.t = new Int32Array(buffer, 0, 2 * capacity);
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
    return grownCapacity(this.cap);
  }

  /** Whether the next growth still fits a growable buffer. */
  get canGrow(): boolean {
    return this.nextCapacity * 8 <= MAX_BYTES;
  }

  /** After another thread grew the table. */
  refresh(capacity: number): void {
    if (capacity === this.cap) return;
    this.cap = capacity;
    this.t = new Int32Array(this.buffer, 0, 2 * capacity);
    this.scale = capacity / 4294967296;
  }

  /**
   * Grows the table in place (every other thread parked), rehashing with the
   * help of the parked threads: `band(from, to)` has the slots [from, to)
   * done by whichever threads take part (parallel-core.ts), then this thread
   * does the slots below the last band. Returns the new capacity.
   */
  grow(band: (from: number, to: number, cap: number, cap2: number) => void): number {
    const cap = this.cap;
    const cap2 = this.nextCapacity;
    const g = this.buffer as unknown as { grow(n: number): void };
    if (this.buffer.byteLength < cap2 * 8) g.grow(cap2 * 8);
    // Bands from the top down: the entries of [L, U) all move to slots at or above U, whose
    // own entries have moved on already, so the threads of one band never meet a slot still to be read.
    let U = cap;
    for (;;) {
      const L = Math.max(BOTTOM, Math.ceil((U * cap) / cap2) + BAND_SLACK);
      if (L >= U) break;
      band(L, U, cap, cap2);
      U = L;
    }
    // The slots below the bands: this thread alone, as the sequential table does (same bits, read unsigned).
    rehashInPlace(new Uint32Array(this.buffer, 0, 2 * cap2), 2, cap, cap2, U);
    this.t = new Int32Array(this.buffer, 0, 2 * cap2);
    this.cap = cap2;
    this.scale = cap2 / 4294967296;
    return cap2;
  }

  /**
   * One thread's part of a band: old slots [from, to) (the top of the band
   * is `top`), from the last down. An entry moves to its new home or past
   * it (compare-and-swap: other threads fill the same slots); one whose new
   * home lies below the band's top, or whose probe would wrap, is set aside
   * in `aside` (inserted once every band is done).
   */
  moveBand(from: number, to: number, top: number, cap2: number, aside: number[]): void {
    const t = new Int32Array(this.buffer, 0, 2 * cap2);
    const scale = cap2 / 4294967296;
    for (let k = to - 1; k >= from; k--) {
      const j = k << 1;
      const lo = t[j]!;
      if (lo === 0) continue;
      const hi = t[j + 1]!;
      t[j] = 0;
      t[j + 1] = 0;
      let i = homeOf(lo, scale);
      if (i < top) {
        aside.push(hi, lo);
        continue;
      }
      for (;;) {
        const q = i << 1;
        if (t[q] === 0 && Atomics.compareExchange(t, q, 0, lo) === 0) {
          Atomics.store(t, q + 1, hi);
          break;
        }
        if (++i === cap2) break;
      }
      if (i === cap2) aside.push(hi, lo);
    }
  }

  /** Inserts entries set aside during a growth (any thread, any number at once), once the table is whole again. */
  insertAside(aside: readonly number[], cap2: number): void {
    this.refresh(cap2);
    for (let e = 0; e < aside.length; e += 2) this.insert(aside[e]!, aside[e + 1]!);
  }

  /** Inserts (hi, lo), both non-zero; true when it was not there. Safe from any number of threads. */
  insert(hi: number, lo: number): boolean {
    const t = this.t;
    const cap = this.cap;
    let i = homeOf(lo, this.scale);
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
    let i = homeOf(lo, this.scale);
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
    return this.t[homeOf(lo, this.scale) << 1]!;
  }
}
