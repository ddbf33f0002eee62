/**
 * A partition's share of the visited set: the fingerprints it owns, each with
 * the fingerprint of its parent and the action from there (or, for an
 * initial state, the parent 0:0 and its initial-state index). That is enough
 * to walk a counterexample back through the owners. The engine's table
 * (visited.ts) with five-word slots, [lo, hi, parent lo, parent hi, action]:
 * a probe and an insert cost one cache miss, and it grows in place (new
 * memory is what costs on a virtual machine), by half: a five-word rehash
 * pass is dear, so fewer passes than the engine's. About 20-30 bytes per
 * stored state.
 */
import { growTable, home, resizableBuffer } from '../engine/visited.ts';

const MAX_LOAD = 0.85;
const GROWTH = 1.5;
/** Words per slot. */
const S = 5;

export class OwnedSet {
  private t: Uint32Array;
  private cap: number;
  private scale: number;
  private limit: number;
  size = 0;

  /** `_actionCount`: the actions and initial states an action word holds (any count: the word is 32 bits). */
  constructor(_actionCount: number, initialCapacity = 4096) {
    this.cap = initialCapacity;
    this.t = new Uint32Array(resizableBuffer(4 * S * this.cap), 0, S * this.cap);
    this.scale = this.cap / 4294967296;
    this.limit = Math.floor(this.cap * MAX_LOAD);
  }

  get bytes(): number {
    return this.t.byteLength;
  }

  get nextGrowthBytes(): number {
    return 4 * S * (Math.ceil(this.cap * GROWTH) - this.cap);
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
    const j = (-1 - s) * S;
    const t = this.t;
    t[j] = l;
    t[j + 1] = h;
    t[j + 2] = pl;
    t[j + 3] = ph;
    t[j + 4] = action;
    if (++this.size > this.limit) this.grow();
    return true;
  }

  /** The parent link of a stored state: [parent hi, parent lo, action], or undefined. */
  parent(h: number, l: number): [number, number, number] | undefined {
    const i = this.slot(h, l);
    if (i < 0) return undefined;
    const j = i * S;
    return [this.t[j + 3]!, this.t[j + 2]!, this.t[j + 4]!];
  }

  private grow(): void {
    const cap = Math.ceil(this.cap * GROWTH);
    this.t = growTable(this.t, S, this.cap, cap);
    this.cap = cap;
    this.scale = cap / 4294967296;
    this.limit = Math.floor(cap * MAX_LOAD);
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
