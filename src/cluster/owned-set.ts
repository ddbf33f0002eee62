/**
 * A partition's share of the visited set: the fingerprints it owns, each with
 * the fingerprint of its parent and the action from there (or, for an
 * initial state, the parent 0:0 and its initial-state index). That is enough
 * to walk a counterexample back through the owners. Open addressing with
 * linear probing, the engine's layout (visited.ts): a slot's key and parent
 * words side by side, [lo, hi, parent lo, parent hi], so a probe and an
 * insert cost one cache miss; the action is in its own array (written once,
 * read only by walks). 85% full at most, grown by visited.ts's policy:
 * 16 bytes of slot and 1-4 of action, about 21-25 bytes per stored state.
 */
import { grownCapacity, home } from '../engine/visited.ts';

const MAX_LOAD = 0.85;

export class OwnedSet {
  private t: Uint32Array;
  private act: Uint8Array | Uint16Array | Uint32Array;
  private cap: number;
  private scale: number;
  private limit: number;
  size = 0;

  constructor(
    private readonly actionCount: number,
    initialCapacity = 4096,
  ) {
    this.cap = initialCapacity;
    this.t = new Uint32Array(4 * this.cap);
    this.act = this.newActions(this.cap);
    this.scale = this.cap / 4294967296;
    this.limit = Math.floor(this.cap * MAX_LOAD);
  }

  private newActions(n: number): Uint8Array | Uint16Array | Uint32Array {
    // One more value than the actions: initial-state indices share the field.
    return this.actionCount < 0x100 ? new Uint8Array(n) : this.actionCount < 0x10000 ? new Uint16Array(n) : new Uint32Array(n);
  }

  get bytes(): number {
    return this.t.byteLength + this.act.byteLength;
  }

  get nextGrowthBytes(): number {
    return Math.ceil((this.bytes / this.cap) * grownCapacity(this.cap));
  }

  /** The slot of (h, l), or -1 - the empty slot where it would go. */
  private slot(h: number, l: number): number {
    const t = this.t;
    const cap = this.cap;
    let i = home(l, this.scale);
    for (;;) {
      const j = i << 2;
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
    return this.t[home(l, this.scale) << 2]!;
  }

  /** Inserts a state with its parent link; true when it was new. */
  add(h: number, l: number, ph: number, pl: number, action: number): boolean {
    const s = this.slot(h, l);
    if (s >= 0) return false;
    const i = -1 - s;
    const j = i << 2;
    const t = this.t;
    t[j] = l;
    t[j + 1] = h;
    t[j + 2] = pl;
    t[j + 3] = ph;
    this.act[i] = action;
    if (++this.size > this.limit) this.grow();
    return true;
  }

  /** The parent link of a stored state: [parent hi, parent lo, action], or undefined. */
  parent(h: number, l: number): [number, number, number] | undefined {
    const i = this.slot(h, l);
    if (i < 0) return undefined;
    const j = i << 2;
    return [this.t[j + 3]!, this.t[j + 2]!, this.act[i]!];
  }

  private grow(): void {
    const { t: ot, act: oa, cap: ocap } = this;
    const cap = grownCapacity(ocap);
    const t = new Uint32Array(4 * cap);
    const act = this.newActions(cap);
    const scale = cap / 4294967296;
    for (let k = 0; k < ocap; k++) {
      const o = k << 2;
      const l = ot[o]!;
      const h = ot[o + 1]!;
      if (h === 0 && l === 0) continue;
      let i = home(l, scale);
      while (t[i << 2] !== 0 || t[(i << 2) + 1] !== 0) if (++i === cap) i = 0;
      const j = i << 2;
      t[j] = l;
      t[j + 1] = h;
      t[j + 2] = ot[o + 2]!;
      t[j + 3] = ot[o + 3]!;
      act[i] = oa[k]!;
    }
    this.t = t;
    this.act = act;
    this.cap = cap;
    this.scale = scale;
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
  const m16 = 65536 % k;
  const m32 = (m16 * m16) % k;
  return (h, l) => ((((h >>> 16) * m16 + (h & 0xffff)) % k) * m32 + (((l >>> 16) * m16 + (l & 0xffff)) % k)) % k;
}
