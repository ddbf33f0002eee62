/**
 * The visited set: an open-addressing (linear probing) table of 64-bit
 * fingerprints held in two Uint32Arrays. No per-state objects, no strings.
 * A slot whose two halves are zero is empty (fingerprint() never yields 0:0).
 *
 * Memory per stored state is what the search is bounded by, so the table
 * runs full (up to 80%) and grows by half rather than doubling; any size
 * works because the home slot is picked by multiplying the (uniform) low
 * word by the capacity instead of masking it.
 */
const MAX_LOAD = 0.8;
const GROWTH = 1.5;

export class FingerprintSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private cap: number;
  private limit: number;
  size = 0;

  constructor(initialCapacity = 4096) {
    this.cap = initialCapacity;
    this.hi = new Uint32Array(this.cap);
    this.lo = new Uint32Array(this.cap);
    this.limit = Math.floor(this.cap * MAX_LOAD);
  }

  /** Bytes held by the table itself. */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength;
  }

  /** Bytes the next growth would allocate (for memory bounds). */
  get nextGrowthBytes(): number {
    return Math.ceil(this.cap * GROWTH) * 8;
  }

  /** Inserts the fingerprint; returns true when it was not there before. */
  add(h: number, l: number): boolean {
    const hi = this.hi;
    const lo = this.lo;
    const cap = this.cap;
    let i = home(l, cap);
    for (;;) {
      const sl = lo[i]!;
      const sh = hi[i]!;
      if (sl === 0 && sh === 0) break;
      if (sl === l && sh === h) return false;
      if (++i === cap) i = 0;
    }
    hi[i] = h;
    lo[i] = l;
    if (++this.size > this.limit) this.grow();
    return true;
  }

  has(h: number, l: number): boolean {
    const cap = this.cap;
    let i = home(l, cap);
    for (;;) {
      const sl = this.lo[i]!;
      const sh = this.hi[i]!;
      if (sl === 0 && sh === 0) return false;
      if (sl === l && sh === h) return true;
      if (++i === cap) i = 0;
    }
  }

  /** Every stored fingerprint as (hi, lo) pairs, in table order. */
  pairs(): Uint32Array {
    const out = new Uint32Array(this.size * 2);
    let k = 0;
    for (let i = 0; i < this.cap; i++) {
      const h = this.hi[i]!;
      const l = this.lo[i]!;
      if (h === 0 && l === 0) continue;
      out[k++] = h;
      out[k++] = l;
    }
    return out;
  }

  private grow(): void {
    const oldHi = this.hi;
    const oldLo = this.lo;
    const cap = Math.ceil(this.cap * GROWTH);
    const hi = new Uint32Array(cap);
    const lo = new Uint32Array(cap);
    for (let j = 0; j < oldHi.length; j++) {
      const h = oldHi[j]!;
      const l = oldLo[j]!;
      if (h === 0 && l === 0) continue;
      let i = home(l, cap);
      while (lo[i] !== 0 || hi[i] !== 0) if (++i === cap) i = 0;
      hi[i] = h;
      lo[i] = l;
    }
    this.hi = hi;
    this.lo = lo;
    this.cap = cap;
    this.limit = Math.floor(cap * MAX_LOAD);
  }
}

/** Home slot of a fingerprint whose low word is uniform: ⌊l · cap / 2³²⌋ (exact in doubles for cap < 2²¹, monotone beyond). */
function home(l: number, cap: number): number {
  return Math.floor((l >>> 0) * (cap / 4294967296));
}

/** Sentinel parent of an initial state. */
export const NO_PARENT = 0xffffffff;

/**
 * Parent links in discovery order: state number i was first reached from
 * state parent[i] by action[i] (or is initial state number action[i] when
 * parent[i] is NO_PARENT). Enough to rebuild the exact step sequence of any
 * state by replaying from the initial state. Actions take one byte when the
 * model has at most 256 of them; the arrays grow by a quarter at a time.
 */
export class ParentLinks {
  private parent: Uint32Array;
  private action: Uint8Array | Uint16Array | Uint32Array;
  size = 0;

  constructor(
    private readonly actionCount: number,
    initial = 4096,
  ) {
    this.parent = new Uint32Array(initial);
    this.action = this.newActions(initial);
  }

  private newActions(n: number): Uint8Array | Uint16Array | Uint32Array {
    return this.actionCount <= 0x100 ? new Uint8Array(n) : this.actionCount <= 0x10000 ? new Uint16Array(n) : new Uint32Array(n);
  }

  get bytes(): number {
    return this.parent.byteLength + this.action.byteLength;
  }

  push(parent: number, action: number): number {
    const n = this.size;
    if (n === this.parent.length) this.grow();
    this.parent[n] = parent;
    this.action[n] = action;
    this.size = n + 1;
    return n;
  }

  /** The initial-state index and the actions leading to state `i`. */
  pathTo(i: number): { initial: number; actions: number[] } {
    const actions: number[] = [];
    let cur = i;
    while (this.parent[cur] !== NO_PARENT) {
      actions.push(this.action[cur]!);
      cur = this.parent[cur]!;
    }
    actions.reverse();
    return { initial: this.action[cur]!, actions };
  }

  private grow(): void {
    const n = Math.ceil(this.parent.length * 1.25);
    const p = new Uint32Array(n);
    p.set(this.parent);
    const a = this.newActions(n);
    a.set(this.action);
    this.parent = p;
    this.action = a;
  }
}
