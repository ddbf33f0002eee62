/**
 * 64-bit fingerprints of packed states: two 32-bit lanes computed in one pass
 * with Math.imul (no BigInt, no allocation). Lane A is MurmurHash3's 32-bit
 * block function, lane B uses xxHash32's primes with a different rotation, and
 * both end in an avalanche finaliser, so the 64 bits behave as independent for
 * the collision estimate.
 */
import { compileSymmetricHash, type HashFn } from './hash-compile.ts';

/** Lane A (MurmurHash3's block function): its multipliers, its additive constant and its seed. */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const A_ADD = 0xe6546b64;
const SEED_A = 0x9747b28c;
/** Lane B (xxHash32's primes): its multipliers and its seed. */
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const SEED_B = 0x165667b1;
/** Lanes C and D of the 128-bit fingerprint. */
const Q1 = 0x27d4eb2f;
const Q2 = 0x165667b1;
const R1 = 0x9e3779b1;
const R2 = 0x85ebca6b;
const SEED_C = 0x3c6ef372;
const SEED_D = 0xa54ff53a;
/** The seeds of a symmetric class's record hash (its two lanes). */
const SEED_RA = 0x2545f491;
const SEED_RB = 0x6b43a9b5;

/**
 * The lanes' constants, for the compiled symmetric hash (hash-compile.ts), which writes them into its code
 * (the functions here use the module's own constants: imported bindings in a hot loop cost twice the time).
 */
export const LANES = { C1, C2, A_ADD, SEED_A, P2, P3, SEED_B, Q1, Q2, R1, R2, SEED_C, SEED_D, SEED_RA, SEED_RB } as const;

/** MurmurHash3's finaliser, as an int32 (the same bits as the uint32): stays a small integer in V8, where a uint32 above 2^31 is a heap number. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Hashes `words[0..len)` into `out[0]` (high lane) and `out[1]` (low lane).
 * The pair (0, 0) is reserved as the empty-slot marker of the visited set, so
 * it is never produced.
 */
export function fingerprint(words: Uint32Array, len: number, out: Uint32Array): void {
  let a = SEED_A ^ len;
  let b = SEED_B + len;
  for (let i = 0; i < len; i++) {
    const w = words[i]!;
    let k = Math.imul(w, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    a ^= k;
    a = (a << 13) | (a >>> 19);
    a = (Math.imul(a, 5) + A_ADD) | 0;

    b = (b + Math.imul(w, P2)) | 0;
    b = (b << 17) | (b >>> 15);
    b = Math.imul(b, P3);
  }
  const hi = fmix32(a);
  let lo = fmix32(b ^ hi);
  if (hi === 0 && lo === 0) lo = 1;
  out[0] = hi;
  out[1] = lo;
}

/**
 * 128-bit fingerprints (`--fingerprint 128`): the two lanes of fingerprint()
 * in out[0], out[1] and two more independent lanes in out[2], out[3].
 */
export function fingerprint128(words: Uint32Array, len: number, out: Uint32Array): void {
  let a = SEED_A ^ len;
  let b = SEED_B + len;
  let c = SEED_C ^ len;
  let d = SEED_D + len;
  for (let i = 0; i < len; i++) {
    const w = words[i]!;
    let k = Math.imul(w, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    a ^= k;
    a = (a << 13) | (a >>> 19);
    a = (Math.imul(a, 5) + A_ADD) | 0;

    b = (b + Math.imul(w, P2)) | 0;
    b = (b << 17) | (b >>> 15);
    b = Math.imul(b, P3);

    c = (c + Math.imul(w, Q1)) | 0;
    c = (c << 11) | (c >>> 21);
    c = Math.imul(c, Q2);

    let m = Math.imul(w ^ (w >>> 15), R1);
    m = (m << 19) | (m >>> 13);
    d ^= m;
    d = Math.imul((d << 7) | (d >>> 25), R2);
  }
  const hi = fmix32(a);
  let lo = fmix32(b ^ hi);
  if (hi === 0 && lo === 0) lo = 1;
  out[0] = hi;
  out[1] = lo;
  out[2] = fmix32(c ^ lo);
  out[3] = fmix32(d + hi);
}

/**
 * Order-independent fingerprints for symmetric record classes (see
 * Model.symmetry): a state is hashed as its words outside every class, in
 * order, plus, per class, the sum (mod 2³²) of a hash of each record. A sum
 * does not depend on the order of its terms and keeps multiplicities (two
 * equal records count twice), so every state of an orbit under permutations
 * of each class's records gets the same fingerprint, and no sort or copy of
 * the state is needed: the cost is one pass over the state's words. A class
 * of one-word records is cheaper still as its words sorted (a sorted
 * multiset is as order-independent as a sum), a few compares against a
 * hash per record.
 */
export class SymmetricHasher {
  /** Words outside every class record, in order. */
  private readonly fixed: Int32Array;
  /** Classes of one-word records: their words are sorted into `tail` (a few compares beat a hash per record). */
  private readonly sortedBases: Int32Array[];
  /** Classes of longer records: two lanes of sums of record hashes each, into `tail` after the sorted words. */
  private readonly classBases: Int32Array[];
  private readonly classWords: Int32Array;
  /** What is hashed after the fixed words: the sorted classes' words, then the summed classes' sums. */
  private readonly tail: Uint32Array;
  readonly lanes: 2 | 4;
  /** Writes the fingerprint of `s`'s orbit into out[0..lanes): the compiled layout, else hashGeneric. */
  readonly hash: HashFn;

  constructor(stateWords: number, classes: readonly { readonly bases: readonly number[]; readonly words: number }[], lanes: 2 | 4) {
    this.lanes = lanes;
    const owner = new Int32Array(stateWords).fill(-1);
    const kept = classes.filter((c) => c.bases.length > 1 && c.words > 0);
    kept.forEach((c, k) => {
      for (const b of c.bases) {
        if (!Number.isInteger(b) || b < 0 || b + c.words > stateWords) throw new RangeError(`symmetry: record at word ${b} (${c.words} words) is outside the state (${stateWords} words)`);
        for (let w = b; w < b + c.words; w++) {
          if (owner[w] !== -1) throw new RangeError(`symmetry: word ${w} belongs to two records`);
          owner[w] = k;
        }
      }
    });
    const fixed: number[] = [];
    for (let w = 0; w < stateWords; w++) if (owner[w] === -1) fixed.push(w);
    this.fixed = Int32Array.from(fixed);
    const sorted = kept.filter((c) => c.words === 1);
    const summed = kept.filter((c) => c.words > 1);
    this.sortedBases = sorted.map((c) => Int32Array.from(c.bases));
    this.classBases = summed.map((c) => Int32Array.from(c.bases));
    this.classWords = Int32Array.from(summed.map((c) => c.words));
    this.tail = new Uint32Array(sorted.reduce((n, c) => n + c.bases.length, 0) + 2 * summed.length);
    const { fixed: f, sortedBases, classBases, classWords } = this;
    this.hash = compileSymmetricHash({ fixed: f, sortedBases, classBases, classWords, lanes }) ?? ((s, out) => this.hashGeneric(s, out));
  }

  /** The hash by walking the layout's arrays (layouts too large to compile, and the compiled code's reference). */
  hashGeneric(s: Uint32Array, out: Uint32Array): void {
    const tail = this.tail;
    let o = 0;
    // One-word records: their words in increasing order (an insertion sort: classes hold a handful).
    const sortedBases = this.sortedBases;
    for (let k = 0; k < sortedBases.length; k++) {
      const bases = sortedBases[k]!;
      const start = o;
      for (let r = 0; r < bases.length; r++) {
        const x = s[bases[r]!]!;
        let j = o++;
        while (j > start && tail[j - 1]! > x) {
          tail[j] = tail[j - 1]!;
          j--;
        }
        tail[j] = x;
      }
    }
    const K = this.classWords.length;
    // Longer records: per class, two lanes of sums of record hashes, in one pass over its records.
    for (let k = 0; k < K; k++) {
      const bases = this.classBases[k]!;
      const words = this.classWords[k]!;
      let sa = 0;
      let sb = 0;
      for (let r = 0; r < bases.length; r++) {
        const base = bases[r]!;
        let ha = SEED_RA ^ words;
        let hb = SEED_RB + words;
        for (let w = 0; w < words; w++) {
          const x = s[base + w]!;
          let m = Math.imul(x, C1);
          m = (m << 15) | (m >>> 17);
          ha ^= Math.imul(m, C2);
          ha = (Math.imul((ha << 13) | (ha >>> 19), 5) + A_ADD) | 0;
          hb = (hb + Math.imul(x, P2)) | 0;
          hb = Math.imul((hb << 17) | (hb >>> 15), P3);
        }
        sa = (sa + fmix32(ha)) | 0;
        sb = (sb + fmix32(hb ^ ha)) | 0;
      }
      tail[o++] = sa;
      tail[o++] = sb;
    }
    const fixed = this.fixed;
    const F = fixed.length;
    const n = F + tail.length;
    let a = SEED_A ^ n;
    let b = SEED_B + n;
    let c = SEED_C ^ n;
    let d = SEED_D + n;
    const four = this.lanes === 4;
    // The fixed words in order, then the tail: through fingerprint()'s lane functions (int32 throughout: no heap numbers).
    for (let i = 0; i < n; i++) {
      const w = i < F ? s[fixed[i]!]! : tail[i - F]!;
      let k1 = Math.imul(w, C1);
      k1 = (k1 << 15) | (k1 >>> 17);
      k1 = Math.imul(k1, C2);
      a ^= k1;
      a = (a << 13) | (a >>> 19);
      a = (Math.imul(a, 5) + A_ADD) | 0;
      b = (b + Math.imul(w, P2)) | 0;
      b = (b << 17) | (b >>> 15);
      b = Math.imul(b, P3);
      if (four) {
        c = (c + Math.imul(w, Q1)) | 0;
        c = (c << 11) | (c >>> 21);
        c = Math.imul(c, Q2);
        let m = Math.imul(w ^ (w >>> 15), R1);
        m = (m << 19) | (m >>> 13);
        d ^= m;
        d = Math.imul((d << 7) | (d >>> 25), R2);
      }
    }
    const hi = fmix32(a);
    let lo = fmix32(b ^ hi);
    if (hi === 0 && lo === 0) lo = 1;
    out[0] = hi;
    out[1] = lo;
    if (four) {
      out[2] = fmix32(c ^ lo);
      out[3] = fmix32(d + hi);
    }
  }
}

/**
 * TLC's optimistic estimate of the probability that fingerprint collisions
 * made the search miss a state: n distinct states among m generated ones,
 * each new one compared against the n stored fingerprints of `bits` bits.
 */
export function collisionProbability(distinct: number, generated: number, bits = 64): number {
  return (distinct * Math.max(0, generated - distinct)) / 2 ** bits;
}

/** Above this estimate a search says so (and suggests --fingerprint 128). */
export const COLLISION_WARNING = 1e-6;
