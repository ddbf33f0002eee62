/**
 * A fingerprint set in shared memory, for worker threads inserting at once.
 * Slot i is [2i] = low word, [2i+1] = high word; a zero low word means
 * empty. An insert claims the slot with compare-and-swap on the low word,
 * then publishes the high word; a reader that finds a matching low word
 * waits for the high word to appear before comparing it. Neither half of a
 * stored fingerprint is ever zero.
 */

export interface SharedTable {
  readonly slots: Uint32Array;
  readonly mask: number;
}

export function newSharedTable(capacityLog2: number): SharedTable {
  const cap = 2 ** capacityLog2;
  return { slots: new Uint32Array(new SharedArrayBuffer(cap * 8)), mask: cap - 1 };
}

/** Makes both halves non-zero (the empty marker and the "being written" marker). */
export function sharedKey(hi: number, lo: number, out: Uint32Array): void {
  out[0] = hi === 0 ? 0x6a09e667 : hi;
  out[1] = lo === 0 ? 0x9e3779b9 : lo;
}

/** Inserts (hi, lo), both non-zero; true when it was not there. Safe from any number of threads. */
export function sharedInsert(t: Uint32Array, mask: number, hi: number, lo: number): boolean {
  let i = (lo ^ (hi >>> 7)) & mask;
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
    i = (i + 1) & mask;
  }
}

export function sharedHas(t: Uint32Array, mask: number, hi: number, lo: number): boolean {
  let i = (lo ^ (hi >>> 7)) & mask;
  for (;;) {
    const j = i << 1;
    const cur = t[j]!;
    if (cur === 0) return false;
    if (cur === lo) {
      let h = t[j + 1]!;
      while (h === 0) h = Atomics.load(t, j + 1);
      if (h === hi) return true;
    }
    i = (i + 1) & mask;
  }
}

/** Copies slots [from, to) of `old` into `into` (several threads may copy disjoint ranges at once). */
export function rehashRange(old: Uint32Array, from: number, to: number, into: Uint32Array, mask: number): void {
  for (let i = from; i < to; i++) {
    const lo = old[2 * i]!;
    if (lo !== 0) sharedInsert(into, mask, old[2 * i + 1]!, lo);
  }
}
