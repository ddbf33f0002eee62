/**
 * A partition's share of the visited set: the fingerprints it owns, each with
 * the fingerprint of its parent and the action from there (or, for an
 * initial state, the parent 0:0 and its initial-state index). That is enough
 * to walk a counterexample back through the owners. Open addressing with
 * linear probing in parallel typed arrays, as the engine's visited set was
 * before it interleaved its words (80% full, grows by half): 8 bytes of key, 8 of parent, 1-4 of action per
 * slot, so about 21 bytes per stored state with one-byte actions.
 */
const MAX_LOAD = 0.8;
const GROWTH = 1.5;

export class OwnedSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private phi: Uint32Array;
  private plo: Uint32Array;
  private act: Uint8Array | Uint16Array | Uint32Array;
  private cap: number;
  private limit: number;
  size = 0;

  constructor(
    private readonly actionCount: number,
    initialCapacity = 4096,
  ) {
    this.cap = initialCapacity;
    this.hi = new Uint32Array(this.cap);
    this.lo = new Uint32Array(this.cap);
    this.phi = new Uint32Array(this.cap);
    this.plo = new Uint32Array(this.cap);
    this.act = this.newActions(this.cap);
    this.limit = Math.floor(this.cap * MAX_LOAD);
  }

  private newActions(n: number): Uint8Array | Uint16Array | Uint32Array {
    // One more value than the actions: initial-state indices share the field.
    return this.actionCount < 0x100 ? new Uint8Array(n) : this.actionCount < 0x10000 ? new Uint16Array(n) : new Uint32Array(n);
  }

  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength + this.phi.byteLength + this.plo.byteLength + this.act.byteLength;
  }

  get nextGrowthBytes(): number {
    return Math.ceil((this.bytes / this.cap) * Math.ceil(this.cap * GROWTH));
  }

  private slot(h: number, l: number): number {
    const cap = this.cap;
    let i = Math.floor((l >>> 0) * (cap / 4294967296));
    for (;;) {
      const sl = this.lo[i]!;
      const sh = this.hi[i]!;
      if (sl === 0 && sh === 0) return -1 - i;
      if (sl === l && sh === h) return i;
      if (++i === cap) i = 0;
    }
  }

  has(h: number, l: number): boolean {
    return this.slot(h, l) >= 0;
  }

  /** Inserts a state with its parent link; true when it was new. */
  add(h: number, l: number, ph: number, pl: number, action: number): boolean {
    const s = this.slot(h, l);
    if (s >= 0) return false;
    const i = -1 - s;
    this.hi[i] = h;
    this.lo[i] = l;
    this.phi[i] = ph;
    this.plo[i] = pl;
    this.act[i] = action;
    if (++this.size > this.limit) this.grow();
    return true;
  }

  /** The parent link of a stored state: [parent hi, parent lo, action], or undefined. */
  parent(h: number, l: number): [number, number, number] | undefined {
    const i = this.slot(h, l);
    if (i < 0) return undefined;
    return [this.phi[i]!, this.plo[i]!, this.act[i]!];
  }

  private grow(): void {
    const { hi: oh, lo: ol, phi: oph, plo: opl, act: oa } = this;
    const cap = Math.ceil(this.cap * GROWTH);
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.phi = new Uint32Array(cap);
    this.plo = new Uint32Array(cap);
    this.act = this.newActions(cap);
    this.cap = cap;
    this.limit = Math.floor(cap * MAX_LOAD);
    for (let j = 0; j < oh.length; j++) {
      const h = oh[j]!;
      const l = ol[j]!;
      if (h === 0 && l === 0) continue;
      let i = Math.floor((l >>> 0) * (cap / 4294967296));
      while (this.lo[i] !== 0 || this.hi[i] !== 0) if (++i === cap) i = 0;
      this.hi[i] = h;
      this.lo[i] = l;
      this.phi[i] = oph[j]!;
      this.plo[i] = opl[j]!;
      this.act[i] = oa[j]!;
    }
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
  const m16 = 65536 % k;
  const m32 = (m16 * m16) % k;
  return (h, l) => ((((h >>> 16) * m16 + (h & 0xffff)) % k) * m32 + (((l >>> 16) * m16 + (l & 0xffff)) % k)) % k;
}
