/**
 * 64-bit fingerprints of packed states: two 32-bit lanes computed in one pass
 * with Math.imul (no BigInt, no allocation). Lane A is MurmurHash3's 32-bit
 * block function, lane B uses xxHash32's primes with a different rotation, and
 * both end in an avalanche finaliser, so the 64 bits behave as independent for
 * the collision estimate.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes `words[0..len)` into `out[0]` (high lane) and `out[1]` (low lane).
 * The pair (0, 0) is reserved as the empty-slot marker of the visited set, so
 * it is never produced.
 */
export function fingerprint(words: Uint32Array, len: number, out: Uint32Array): void {
  let a = 0x9747b28c ^ len;
  let b = 0x165667b1 + len;
  for (let i = 0; i < len; i++) {
    const w = words[i]!;
    let k = Math.imul(w, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    a ^= k;
    a = (a << 13) | (a >>> 19);
    a = (Math.imul(a, 5) + 0xe6546b64) | 0;

    b = (b + Math.imul(w, P2)) | 0;
    b = (b << 17) | (b >>> 15);
    b = Math.imul(b, P3);
  }
  const hi = fmix(a);
  let lo = fmix(b ^ hi);
  if (hi === 0 && lo === 0) lo = 1;
  out[0] = hi;
  out[1] = lo;
}

/**
 * TLC's optimistic estimate of the probability that fingerprint collisions
 * made the search miss a state: n distinct states among m generated ones,
 * each new one compared against the n stored 64-bit fingerprints.
 */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * Math.max(0, generated - distinct)) / 2 ** 64;
}
