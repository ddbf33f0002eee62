/**
 * A partition's share of the visited set: the fingerprints it owns, each with
 * the fingerprint of its parent and the action from there (or, for an
 * initial state, the parent 0:0 and its initial-state index). That is enough
 * to walk a counterexample back through the owners.
 *
 * The fingerprints are the engine's table (visited.ts): two-word slots
 * [lo, hi], so a probe strides over 8 bytes a slot, as the single-process
 * search does. The parent links sit in a side array of three-word slots
 * [parent lo, parent hi, action] at the same slot numbers: most probes find
 * a known state and never touch it; only a new state writes there. (One
 * five-word slot made every probe stride over 20 bytes: 38% slower at 23 M
 * states.) Both grow in place (new memory is what costs on a virtual
 * machine) by half, rehashed together. About 20-30 bytes per stored state.
 */
import { home, resizableBuffer } from '../engine/visited.ts';

const MAX_LOAD = 0.85;
const GROWTH = 1.5;
/** Words per slot: the fingerprint, and the side array's parent link. */
const S = 2;
const P = 3;
/** Largest resizable buffer (bytes); beyond it a growth copies into plain arrays. */
const MAX_RESIZABLE = 2 ** 32;

interface Resizable {
  readonly resizable?: boolean;
  readonly maxByteLength?: number;
  resize(n: number): void;
}

export class OwnedSet {
  private t: Uint32Array;
  private side: Uint32Array;
  private cap: number;
  private scale: number;
  private limit: number;
  size = 0;

  /** `_actionCount`: the actions and initial states an action word holds (any count: the word is 32 bits). */
  constructor(_actionCount: number, initialCapacity = 4096) {
    this.cap = initialCapacity;
    // One table per search: reserve the whole address space at once, so that no growth copies.
    this.t = new Uint32Array(resizableBuffer(4 * S * this.cap, MAX_RESIZABLE), 0, S * this.cap);
    this.side = new Uint32Array(resizableBuffer(4 * P * this.cap, MAX_RESIZABLE), 0, P * this.cap);
    this.scale = this.cap / 4294967296;
    this.limit = Math.floor(this.cap * MAX_LOAD);
  }

  get bytes(): number {
    return this.t.byteLength + this.side.byteLength;
  }

  get nextGrowthBytes(): number {
    return 4 * (S + P) * (Math.ceil(this.cap * GROWTH) - this.cap);
  }

  /** The slot of (h, l), or -1 - the empty slot where it would go. */
  private slot(h: number, l: number): number {
    const t = this.t;
    const cap = this.cap;
    let i = home(l, this.scale);
    for (;;) {
      const j = i * S;
      const sl = t[j]!;
      const sh = t[j + 1]!;
      if (sl === 0 && sh === 0) return -1 - i;
      if (sl === l && sh === h) return i;
      if (++i === cap) i = 0;
    }
  }

  has(h: number, l: number): boolean {
    return this.slot(h, l) >= 0;
  }

  /** Reads the home slot of (h, l) ahead of a probe (a prefetch); the value means nothing. */
  touch(l: number): number {
    return this.t[home(l, this.scale) * S]!;
  }

  /** Inserts a state with its parent link; true when it was new. */
  add(h: number, l: number, ph: number, pl: number, action: number): boolean {
    const s = this.slot(h, l);
    if (s >= 0) return false;
    const i = -1 - s;
    const t = this.t;
    t[i * S] = l;
    t[i * S + 1] = h;
    const p = this.side;
    p[i * P] = pl;
    p[i * P + 1] = ph;
    p[i * P + 2] = action;
    if (++this.size > this.limit) this.grow();
    return true;
  }

  /** The parent link of a stored state: [parent hi, parent lo, action], or undefined. */
  parent(h: number, l: number): [number, number, number] | undefined {
    const i = this.slot(h, l);
    if (i < 0) return undefined;
    const p = this.side;
    return [p[i * P + 1]!, p[i * P]!, p[i * P + 2]!];
  }

  private grow(): void {
    const cap = this.cap;
    const cap2 = Math.ceil(cap * GROWTH);
    const tb = this.t.buffer as unknown as Resizable;
    const pb = this.side.buffer as unknown as Resizable;
    if (tb.resizable && pb.resizable && cap2 * P * 4 <= (pb.maxByteLength ?? 0) && cap2 * S * 4 <= (tb.maxByteLength ?? 0)) {
      tb.resize(cap2 * S * 4);
      pb.resize(cap2 * P * 4);
      this.t = new Uint32Array(this.t.buffer, 0, cap2 * S);
      this.side = new Uint32Array(this.side.buffer, 0, cap2 * P);
      rehashBoth(this.t, this.side, cap, cap2);
    } else {
      // Past the largest resizable buffer: into plain arrays, each entry inserted again.
      const t = this.t;
      const p = this.side;
      this.t = new Uint32Array(cap2 * S);
      this.side = new Uint32Array(cap2 * P);
      insertAll(this.t, this.side, cap2, t, p, cap, S, P);
    }
    this.cap = cap2;
    this.scale = cap2 / 4294967296;
    this.limit = Math.floor(cap2 * MAX_LOAD);
  }
}

/**
 * The in-place rehash of visited.ts (rehashInPlace), moving each slot's
 * parent link with it: from the last old slot down, each entry moves to the
 * first free slot from its new home (homes only move up as the capacity
 * grows); one whose home lies below it, or whose probe would wrap, is set
 * aside and inserted again at the end.
 */
function rehashBoth(t: Uint32Array, p: Uint32Array, cap: number, cap2: number): void {
  const scale = cap2 / 4294967296;
  const R = S + P;
  let aside = new Uint32Array(1024 * R);
  let n = 0;
  const setAside = (k: number): void => {
    if ((n + 1) * R > aside.length) {
      const a2 = new Uint32Array(aside.length * 2);
      a2.set(aside);
      aside = a2;
    }
    const o = n * R;
    aside[o] = t[k * S]!;
    aside[o + 1] = t[k * S + 1]!;
    for (let w = 0; w < P; w++) aside[o + S + w] = p[k * P + w]!;
    t[k * S] = 0;
    t[k * S + 1] = 0;
    n++;
  };
  for (let k = cap - 1; k >= 0; k--) {
    const l = t[k * S]!;
    if (l === 0 && t[k * S + 1]! === 0) continue;
    let i = home(l, scale);
    if (i < k) {
      setAside(k);
      continue;
    }
    if (i === k) continue;
    while (i !== k && i < cap2 && (t[i * S]! !== 0 || t[i * S + 1]! !== 0)) i++;
    if (i === cap2) {
      setAside(k);
      continue;
    }
    if (i === k) continue; // the probe came back down to its own slot: it stays
    t[i * S] = l;
    t[i * S + 1] = t[k * S + 1]!;
    t[k * S] = 0;
    t[k * S + 1] = 0;
    for (let w = 0; w < P; w++) p[i * P + w] = p[k * P + w]!;
  }
  const both = aside.subarray(0, n * R);
  insertAll(t, p, cap2, both, both.subarray(S), n, R, R);
}

/**
 * Inserts `n` entries into the table (t, p) of cap2 slots: entry e's
 * fingerprint at srcT[e * ts], its parent link at srcP[e * ps].
 */
function insertAll(t: Uint32Array, p: Uint32Array, cap2: number, srcT: Uint32Array, srcP: Uint32Array, n: number, ts: number, ps: number): void {
  const scale = cap2 / 4294967296;
  for (let e = 0; e < n; e++) {
    const l = srcT[e * ts]!;
    const h = srcT[e * ts + 1]!;
    if (l === 0 && h === 0) continue;
    let i = home(l, scale);
    while (t[i * S]! !== 0 || t[i * S + 1]! !== 0) if (++i === cap2) i = 0;
    t[i * S] = l;
    t[i * S + 1] = h;
    for (let w = 0; w < P; w++) p[i * P + w] = srcP[e * ps + w]!;
  }
}

/** The partition that owns a fingerprint: the 64-bit value hi·2³² + lo, mod k. */
export function ownerOf(h: number, l: number, k: number): number {
  return ownerFunction(k)(h, l);
}

/**
 * ownerOf for one k, in integer arithmetic only (a double modulo costs tens
 * of nanoseconds, on every transition): each 32-bit half is split into
 * 16-bit halves, so every product and remainder stays a small integer
 * (k ≤ 2¹⁵).
 */
export function ownerFunction(k: number): (h: number, l: number) => number {
  if (k === 1) return () => 0;
  // 2³² ≡ 0 mod a power of two that divides it: the low word's low bits alone, no division.
  if ((k & (k - 1)) === 0) {
    const mask = k - 1;
    return (_h, l) => l & mask;
  }
  const m16 = 65536 % k;
  const m32 = (m16 * m16) % k;
  return (h, l) => ((((h >>> 16) * m16 + (h & 0xffff)) % k) * m32 + (((l >>> 16) * m16 + (l & 0xffff)) % k)) % k;
}
