/**
 * The visited set and the parent links: what a search keeps per stored
 * state, and what it is bounded by.
 *
 * The visited set is an open-addressing (linear probing) table of
 * fingerprints, interleaved in one Uint32Array: a slot's words sit side by
 * side, so a probe costs one cache miss, not one per half. A slot whose
 * words are all zero is empty (fingerprints are never all zero).
 *
 * The home slot is ⌊low word · capacity / 2³²⌋: any capacity works, and
 * homes are monotone in the low word, so the table is (nearly) sorted by it
 * and a rehash into a larger table writes almost sequentially. That makes
 * small growth steps cheap, which is what keeps a large table full: it
 * fills to 85% and, from LARGE slots on, grows by an eighth, so the load
 * stays between 75% and 85% (about 10 bytes per state for 64-bit
 * fingerprints). Below LARGE it grows by half: a rehash pass costs the whole
 * table, and growth by an eighth makes the passes add up to 9 times the
 * final table (by half, 3 times), which is most of a small search's cost.
 *
 * Probes can be batched: `touch` reads a fingerprint's home slot without
 * acting on it, so that a search can start the loads of all of a state's
 * successors before it inserts the first one (the misses then overlap).
 */
const MAX_LOAD = 0.85;
/** Slots from which a table grows by an eighth (8 MiB of 64-bit fingerprints): beyond it memory, not the rehash, is what counts. */
const LARGE = 1 << 20;

/** The capacity a table of `cap` slots grows to. */
export function grownCapacity(cap: number): number {
  return Math.ceil(cap * (cap < LARGE ? 1.5 : 1.125));
}

/** A set of fingerprints of `lanes` 32-bit words each, read from `fps[off..off+lanes)`. */
export interface VisitedSet {
  readonly lanes: number;
  size: number;
  readonly bytes: number;
  /** Bytes the next growth would allocate (for memory bounds). */
  readonly nextGrowthBytes: number;
  /** Inserts the fingerprint at fps[off..]; true when it was not there before. */
  add(fps: Uint32Array, off: number): boolean;
  has(fps: Uint32Array, off: number): boolean;
  /** Reads the home slot of the fingerprint at fps[off..] (a prefetch); the value means nothing. */
  touch(fps: Uint32Array, off: number): number;
}

/** Home slot of a fingerprint whose low word `l` is uniform. */
export function home(l: number, scale: number): number {
  return (l * scale) >>> 0;
}

/** Largest resizable buffer (bytes); a table beyond it is copied into plain buffers. */
const MAX_RESIZABLE = 2 ** 32;

/**
 * A zeroed buffer of `bytes` that can later grow in place up to
 * MAX_RESIZABLE (Node 20's resizable ArrayBuffer). Growing in place means
 * only the added pages are new memory: on a virtual machine where the first
 * touch of a page is expensive, copying into a fresh buffer at every growth
 * costs more than the probes themselves.
 */
export function resizableBuffer(bytes: number, maxBytes = Math.min(MAX_RESIZABLE, Math.max(bytes, bytes * RESERVE))): ArrayBuffer {
  return new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(bytes, { maxByteLength: Math.max(bytes, maxBytes) });
}

/**
 * A buffer reserves RESERVE times what it starts with (reserving address
 * space is cheap, but not free for the many tiny searches of a matrix);
 * outgrowing the reservation copies once into a buffer reserving RESERVE
 * times more, up to MAX_RESIZABLE.
 */
const RESERVE = 64;

/** ES2024's resizable ArrayBuffer (Node 20 has it; the project's TypeScript lib is ES2022). */
interface Resizable {
  readonly resizable?: boolean;
  readonly maxByteLength?: number;
  resize?(bytes: number): void;
}

/** Whether `buf` can grow in place to `bytes`. */
export function canGrowInPlace(buf: ArrayBufferLike, bytes: number): boolean {
  const r = buf as unknown as Resizable;
  return r.resizable === true && bytes <= (r.maxByteLength ?? 0);
}

/** Grows `buf` to `bytes` in place when it can; false otherwise. */
export function growInPlace(buf: ArrayBufferLike, bytes: number): boolean {
  if (!canGrowInPlace(buf, bytes)) return false;
  (buf as unknown as Resizable).resize!(bytes);
  return true;
}

/**
 * The table of S-word slots in `t` (cap slots) grows to `cap2` slots, in
 * place: `t2` is the same memory, longer. Homes only move up as the
 * capacity grows (⌊l·cap2/2³²⌋ ≥ ⌊l·cap/2³²⌋), so a pass from the last slot
 * down moves each entry to a slot at or above its old one, probing only
 * slots already rehashed. The few entries whose new home lies below their
 * old slot (displaced ones near the start) or whose probe would wrap are
 * set aside and inserted again at the end.
 */
export function rehashInPlace(t2: Uint32Array, S: number, cap: number, cap2: number, top = cap): void {
  const scale = cap2 / 4294967296;
  const aside: number[] = [];
  // Slots from `top` up are already rehashed (the parallel search does those in bands).
  for (let k = top - 1; k >= 0; k--) {
    const j = k * S;
    let any = 0;
    for (let w = 0; w < S; w++) any |= t2[j + w]!;
    if (any === 0) continue;
    const l = t2[j]!;
    let i = home(l, scale);
    if (i < k) {
      for (let w = 0; w < S; w++) aside.push(t2[j + w]!);
      for (let w = 0; w < S; w++) t2[j + w] = 0;
      continue;
    }
    if (i === k) continue; // already in place
    for (;;) {
      let occ = 0;
      for (let w = 0; w < S; w++) occ |= t2[i * S + w]!;
      if (occ === 0 || i === k) break;
      if (++i === cap2) break;
    }
    if (i === cap2) {
      for (let w = 0; w < S; w++) aside.push(t2[j + w]!);
      for (let w = 0; w < S; w++) t2[j + w] = 0;
      continue;
    }
    if (i === k) continue; // the probe came back down to its own slot: it stays
    for (let w = 0; w < S; w++) {
      t2[i * S + w] = t2[j + w]!;
      t2[j + w] = 0;
    }
  }
  for (let e = 0; e < aside.length; e += S) {
    let i = home(aside[e]!, scale);
    for (;;) {
      let occ = 0;
      for (let w = 0; w < S; w++) occ |= t2[i * S + w]!;
      if (occ === 0) break;
      if (++i === cap2) i = 0;
    }
    for (let w = 0; w < S; w++) t2[i * S + w] = aside[e + w]!;
  }
}

/** Rehash of the S-word slots of `old` (cap slots) into the fresh zeroed `t` (cap2 slots). */
function rehashInto(old: Uint32Array, t: Uint32Array, S: number, cap: number, cap2: number): void {
  const scale = cap2 / 4294967296;
  for (let k = 0; k < cap; k++) {
    const j = k * S;
    let any = 0;
    for (let w = 0; w < S; w++) any |= old[j + w]!;
    if (any === 0) continue;
    let i = home(old[j]!, scale);
    for (;;) {
      let occ = 0;
      for (let w = 0; w < S; w++) occ |= t[i * S + w]!;
      if (occ === 0) break;
      if (++i === cap2) i = 0;
    }
    for (let w = 0; w < S; w++) t[i * S + w] = old[j + w]!;
  }
}

/** Grows a table of S-word slots from cap to cap2 slots: in place when its buffer allows, else by copying. */
export function growTable(t: Uint32Array, S: number, cap: number, cap2: number): Uint32Array {
  const buf = t.buffer;
  if (growInPlace(buf, cap2 * S * 4)) {
    const t2 = new Uint32Array(buf, 0, cap2 * S);
    rehashInPlace(t2, S, cap, cap2);
    return t2;
  }
  const bytes = cap2 * S * 4;
  const t2 = bytes <= MAX_RESIZABLE ? new Uint32Array(resizableBuffer(bytes, Math.min(MAX_RESIZABLE, bytes * RESERVE)), 0, cap2 * S) : new Uint32Array(cap2 * S);
  rehashInto(t, t2, S, cap, cap2);
  return t2;
}

/** 64-bit fingerprints: slot i is t[2i] = low word, t[2i+1] = high word. */
export class FingerprintSet implements VisitedSet {
  readonly lanes = 2;
  private t: Uint32Array;
  private cap: number;
  private scale: number;
  private limit: number;
  size = 0;

  constructor(initialCapacity = 4096) {
    this.cap = initialCapacity;
    this.t = new Uint32Array(resizableBuffer(8 * this.cap), 0, 2 * this.cap);
    this.scale = this.cap / 4294967296;
    this.limit = Math.floor(this.cap * MAX_LOAD);
  }

  get bytes(): number {
    return this.t.byteLength;
  }

  get nextGrowthBytes(): number {
    const more = grownCapacity(this.cap) * 8;
    return canGrowInPlace(this.t.buffer, more) ? more - this.t.byteLength : more;
  }

  get capacity(): number {
    return this.cap;
  }

  add(fps: Uint32Array, off: number): boolean {
    return this.add2(fps[off]!, fps[off + 1]!);
  }

  /** Inserts (h, l); returns true when it was not there before. */
  add2(h: number, l: number): boolean {
    const t = this.t;
    const cap = this.cap;
    let i = home(l, this.scale);
    for (;;) {
      const j = i << 1;
      const sl = t[j]!;
      const sh = t[j + 1]!;
      if (sl === 0 && sh === 0) {
        t[j] = l;
        t[j + 1] = h;
        if (++this.size > this.limit) this.grow();
        return true;
      }
      if (sl === l && sh === h) return false;
      if (++i === cap) i = 0;
    }
  }

  has(fps: Uint32Array, off: number): boolean {
    return this.has2(fps[off]!, fps[off + 1]!);
  }

  has2(h: number, l: number): boolean {
    const t = this.t;
    const cap = this.cap;
    let i = home(l, this.scale);
    for (;;) {
      const j = i << 1;
      const sl = t[j]!;
      const sh = t[j + 1]!;
      if (sl === 0 && sh === 0) return false;
      if (sl === l && sh === h) return true;
      if (++i === cap) i = 0;
    }
  }

  touch(fps: Uint32Array, off: number): number {
    return this.t[home(fps[off + 1]!, this.scale) << 1]!;
  }

  /** Every stored fingerprint as (hi, lo) pairs (the order add2 takes), in table order. */
  pairs(): Uint32Array {
    const t = this.t;
    const out = new Uint32Array(this.size * 2);
    let k = 0;
    for (let j = 0; j < 2 * this.cap; j += 2) {
      const l = t[j]!;
      const h = t[j + 1]!;
      if (h === 0 && l === 0) continue;
      out[k++] = h;
      out[k++] = l;
    }
    return out;
  }

  private grow(): void {
    const cap = grownCapacity(this.cap);
    this.t = growTable(this.t, 2, this.cap, cap);
    this.cap = cap;
    this.scale = cap / 4294967296;
    this.limit = Math.floor(cap * MAX_LOAD);
  }
}

/**
 * 128-bit fingerprints (`--fingerprint 128`): four words per slot, slot i is
 * t[4i..4i+4) with the low word (the home's) first. Twice the memory of
 * FingerprintSet, for runs so large that 64 bits give a collision estimate
 * worth avoiding.
 */
export class FingerprintSet128 implements VisitedSet {
  readonly lanes = 4;
  private t: Uint32Array;
  private cap: number;
  private scale: number;
  private limit: number;
  size = 0;

  constructor(initialCapacity = 4096) {
    this.cap = initialCapacity;
    this.t = new Uint32Array(resizableBuffer(16 * this.cap), 0, 4 * this.cap);
    this.scale = this.cap / 4294967296;
    this.limit = Math.floor(this.cap * MAX_LOAD);
  }

  get bytes(): number {
    return this.t.byteLength;
  }

  get nextGrowthBytes(): number {
    const more = grownCapacity(this.cap) * 16;
    return canGrowInPlace(this.t.buffer, more) ? more - this.t.byteLength : more;
  }

  /** The fingerprint fps[off..off+4) is stored as [off+1] (the low word, the home), [off], [off+2], [off+3]. */
  add(fps: Uint32Array, off: number): boolean {
    const a = fps[off + 1]!;
    const b = fps[off]!;
    const c = fps[off + 2]!;
    const d = fps[off + 3]!;
    const t = this.t;
    const cap = this.cap;
    let i = home(a, this.scale);
    for (;;) {
      const j = i << 2;
      const s0 = t[j]!;
      const s1 = t[j + 1]!;
      const s2 = t[j + 2]!;
      const s3 = t[j + 3]!;
      if ((s0 | s1 | s2 | s3) === 0) {
        t[j] = a;
        t[j + 1] = b;
        t[j + 2] = c;
        t[j + 3] = d;
        if (++this.size > this.limit) this.grow();
        return true;
      }
      if (s0 === a && s1 === b && s2 === c && s3 === d) return false;
      if (++i === cap) i = 0;
    }
  }

  has(fps: Uint32Array, off: number): boolean {
    const a = fps[off + 1]!;
    const b = fps[off]!;
    const c = fps[off + 2]!;
    const d = fps[off + 3]!;
    const t = this.t;
    const cap = this.cap;
    let i = home(a, this.scale);
    for (;;) {
      const j = i << 2;
      const s0 = t[j]!;
      const s1 = t[j + 1]!;
      const s2 = t[j + 2]!;
      const s3 = t[j + 3]!;
      if ((s0 | s1 | s2 | s3) === 0) return false;
      if (s0 === a && s1 === b && s2 === c && s3 === d) return true;
      if (++i === cap) i = 0;
    }
  }

  touch(fps: Uint32Array, off: number): number {
    return this.t[home(fps[off + 1]!, this.scale) << 2]!;
  }

  private grow(): void {
    const cap = grownCapacity(this.cap);
    this.t = growTable(this.t, 4, this.cap, cap);
    this.cap = cap;
    this.scale = cap / 4294967296;
    this.limit = Math.floor(cap * MAX_LOAD);
  }
}

export function newVisitedSet(lanes: 2 | 4): VisitedSet {
  return lanes === 4 ? new FingerprintSet128() : new FingerprintSet();
}

/** Sentinel parent of an initial state. */
export const NO_PARENT = 0xffffffff;

/** The parent links of a search: enough to rebuild the exact step sequence of any stored state. */
export interface Links {
  readonly size: number;
  readonly bytes: number;
  /** The initial-state index and the actions leading to state `i`. */
  pathTo(i: number): { initial: number; actions: number[] };
}

/**
 * Parent links in discovery order, for any search order (DFS): state number
 * i was first reached from state parent[i] by action[i] (or is initial state
 * number action[i] when parent[i] is NO_PARENT). Actions take one byte when
 * the model has at most 256 of them; the arrays grow by a quarter at a time.
 */
export class ParentLinks implements Links {
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

/** Number of set bits of a 32-bit word. */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Children between select checkpoints (a power of two). */
const SELECT_EVERY = 256;

/** Words per block of a BitBlocks (blocks are small enough to come from the heap, never copied). */
const BLOCK_LOG = 13;
const BLOCK_WORDS = 1 << BLOCK_LOG;
const BLOCK_MASK = BLOCK_WORDS - 1;

/** A growable array of 32-bit words in fixed blocks: growth allocates one block, copies nothing. */
class WordBlocks {
  private readonly blocks: Uint32Array[] = [];

  get bytes(): number {
    return this.blocks.length * BLOCK_WORDS * 4;
  }

  get(w: number): number {
    const b = this.blocks[w >>> BLOCK_LOG];
    return b === undefined ? 0 : b[w & BLOCK_MASK]!;
  }

  or(w: number, v: number): void {
    const k = w >>> BLOCK_LOG;
    while (k >= this.blocks.length) this.blocks.push(new Uint32Array(BLOCK_WORDS));
    const b = this.blocks[k]!;
    b[w & BLOCK_MASK] = b[w & BLOCK_MASK]! | v;
  }
}

/**
 * Parent links of a breadth-first search, in about one byte per state.
 *
 * BFS numbers states in discovery order and expands them in that order, so
 * the children of each expanded state are a contiguous run of numbers, and
 * the runs come in the order of their parents. The links are then: for each
 * state, the action that produced it (a packed field of ⌈log₂ actions⌉
 * bits), and the tree's shape as a bit stream in which each new child
 * appends a 0 and each finished parent a 1 (unary child counts: two bits
 * per state). The parent of child number m (counting from the first
 * non-initial state) is the number of 1s before the m-th 0; a checkpoint
 * every 256 children keeps that lookup short.
 */
export class BfsLinks implements Links {
  private readonly actionBits: number;
  private readonly actions = new WordBlocks();
  private readonly tree = new WordBlocks();
  /** Bit position of child number k·SELECT_EVERY in `tree`. */
  private checkpoints: Float64Array;
  private treeBits = 0;
  private children = 0;
  private readonly initials: number[] = [];
  size = 0;

  constructor(actionCount: number) {
    let b = 1;
    while (2 ** b < actionCount) b++;
    this.actionBits = b;
    this.checkpoints = new Float64Array(64);
  }

  get bytes(): number {
    return this.actions.bytes + this.tree.bytes + this.checkpoints.byteLength + this.initials.length * 8;
  }

  /** An initial state (only before any child): the index of its initial state. */
  pushInitial(initial: number): number {
    if (this.children > 0 || this.treeBits > 0) throw new Error('BfsLinks: initial states come first');
    this.initials.push(initial);
    return this.size++;
  }

  /** A new child of the parent being expanded, reached by `action`; returns its number. */
  pushChild(action: number): number {
    const n = this.size;
    const bit = n * this.actionBits;
    const w = Math.floor(bit / 32);
    const sh = bit & 31;
    this.actions.or(w, action << sh);
    if (sh + this.actionBits > 32) this.actions.or(w + 1, action >>> (32 - sh));
    if ((this.children & (SELECT_EVERY - 1)) === 0) {
      const k = this.children / SELECT_EVERY;
      if (k >= this.checkpoints.length) {
        const c = new Float64Array(this.checkpoints.length * 2);
        c.set(this.checkpoints);
        this.checkpoints = c;
      }
      this.checkpoints[k] = this.treeBits;
    }
    this.treeBits++; // a 0
    this.children++;
    return this.size++;
  }

  /** The parent being expanded is done (the next pushChild belongs to the next state in order). */
  endParent(): void {
    const b = this.treeBits++;
    this.tree.or(Math.floor(b / 32), 1 << (b & 31));
  }

  actionOf(i: number): number {
    const bit = i * this.actionBits;
    const w = Math.floor(bit / 32);
    const sh = bit & 31;
    let v = this.actions.get(w) >>> sh;
    if (sh + this.actionBits > 32) v |= this.actions.get(w + 1) << (32 - sh);
    return this.actionBits === 32 ? v >>> 0 : v & ((1 << this.actionBits) - 1);
  }

  /** The parent of state i (i ≥ the number of initial states). */
  parentOf(i: number): number {
    const m = i - this.initials.length;
    const k = Math.floor(m / SELECT_EVERY);
    let pos = this.checkpoints[k]!;
    let need = m - k * SELECT_EVERY; // zeros still to skip after the checkpoint's own
    // pos is the checkpoint child's bit (a 0): find the zero `need` zeros further on.
    let w = Math.floor(pos / 32);
    let off = pos & 31;
    let base = pos - off;
    let bits = ~this.tree.get(w) >>> off; // zeros of this word from pos on, as ones
    for (;;) {
      const valid = 32 - off;
      const mask = valid === 32 ? bits : bits & ((1 << valid) - 1);
      const c = popcount(mask);
      if (c > need) {
        let x = mask;
        for (let r = 0; r < need; r++) x &= x - 1;
        pos = base + off + (31 - Math.clz32(x & -x));
        break;
      }
      need -= c;
      w++;
      base += 32;
      off = 0;
      bits = ~this.tree.get(w);
    }
    // pos is child m's bit; the ones before it are the parents already finished.
    return pos - m;
  }

  pathTo(i: number): { initial: number; actions: number[] } {
    const actions: number[] = [];
    let cur = i;
    const k0 = this.initials.length;
    while (cur >= k0) {
      actions.push(this.actionOf(cur));
      cur = this.parentOf(cur);
    }
    actions.reverse();
    return { initial: this.initials[cur]!, actions };
  }
}
