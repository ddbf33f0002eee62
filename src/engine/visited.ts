/**
 * The visited set: an open-addressing (linear probing) table of 64-bit
 * fingerprints held in two Uint32Arrays. No per-state objects, no strings.
 * A slot whose two halves are zero is empty (fingerprint() never yields 0:0).
 */
export class FingerprintSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  private limit: number;
  size = 0;

  constructor(initialCapacityLog2 = 12, private readonly maxLoad = 0.75) {
    const cap = 1 << initialCapacityLog2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * maxLoad);
  }

  get capacity(): number {
    return this.mask + 1;
  }

  /** Bytes held by the table itself. */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength;
  }

  /** Inserts the fingerprint; returns true when it was not there before. */
  add(h: number, l: number): boolean {
    const hi = this.hi;
    const lo = this.lo;
    const mask = this.mask;
    let i = (l ^ (h >>> 7)) & mask;
    for (;;) {
      const sl = lo[i]!;
      const sh = hi[i]!;
      if (sl === 0 && sh === 0) break;
      if (sl === l && sh === h) return false;
      i = (i + 1) & mask;
    }
    hi[i] = h;
    lo[i] = l;
    if (++this.size > this.limit) this.grow();
    return true;
  }

  has(h: number, l: number): boolean {
    const mask = this.mask;
    let i = (l ^ (h >>> 7)) & mask;
    for (;;) {
      const sl = this.lo[i]!;
      const sh = this.hi[i]!;
      if (sl === 0 && sh === 0) return false;
      if (sl === l && sh === h) return true;
      i = (i + 1) & mask;
    }
  }

  /** Bytes the next growth would allocate (for memory bounds). */
  get nextGrowthBytes(): number {
    return this.bytes * 2;
  }

  private grow(): void {
    const oldHi = this.hi;
    const oldLo = this.lo;
    const cap = oldHi.length * 2;
    const hi = new Uint32Array(cap);
    const lo = new Uint32Array(cap);
    const mask = cap - 1;
    for (let j = 0; j < oldHi.length; j++) {
      const h = oldHi[j]!;
      const l = oldLo[j]!;
      if (h === 0 && l === 0) continue;
      let i = (l ^ (h >>> 7)) & mask;
      while (lo[i] !== 0 || hi[i] !== 0) i = (i + 1) & mask;
      hi[i] = h;
      lo[i] = l;
    }
    this.hi = hi;
    this.lo = lo;
    this.mask = mask;
    this.limit = Math.floor(cap * this.maxLoad);
  }
}

/** Sentinel parent of an initial state. */
export const NO_PARENT = 0xffffffff;

/**
 * Parent links in discovery order: state number i was first reached from
 * state parent[i] by action[i] (or is initial state number action[i] when
 * parent[i] is NO_PARENT). Enough to rebuild the exact step sequence of any
 * state by replaying from the initial state.
 */
export class ParentLinks {
  private parent: Uint32Array;
  private action: Uint16Array | Uint32Array;
  size = 0;

  constructor(private readonly wideActions: boolean, initial = 1 << 12) {
    this.parent = new Uint32Array(initial);
    this.action = wideActions ? new Uint32Array(initial) : new Uint16Array(initial);
  }

  get bytes(): number {
    return this.parent.byteLength + this.action.byteLength;
  }

  /** Bytes each stored state costs here. */
  get bytesPerEntry(): number {
    return 4 + (this.wideActions ? 4 : 2);
  }

  push(parent: number, action: number): number {
    const n = this.size;
    if (n === this.parent.length) this.grow();
    this.parent[n] = parent;
    this.action[n] = action;
    this.size = n + 1;
    return n;
  }

  parentOf(i: number): number {
    return this.parent[i]!;
  }

  actionOf(i: number): number {
    return this.action[i]!;
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
    const n = this.parent.length * 2;
    const p = new Uint32Array(n);
    p.set(this.parent);
    const a = this.wideActions ? new Uint32Array(n) : new Uint16Array(n);
    a.set(this.action);
    this.parent = p;
    this.action = a;
  }
}
