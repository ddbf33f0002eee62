/**
 * Straight-line code for one SymmetricHasher layout. The generic hash walks
 * index arrays, sorts into a scratch array and branches per word on fixed
 * or tail; for a given model all of that is known at construction, so the
 * layout is compiled once into a function with the word indices as
 * constants, the sorted classes in locals (a compare-exchange network) and
 * the lanes unrolled. It computes exactly the generic hash's bits (tested).
 */
import { fmix32 } from './fingerprint.ts';

/** A layout too large to unroll keeps the generic loop. */
const MAX_UNROLLED_WORDS = 256;
/** Sorted classes up to this many records use a network of n(n-1)/2 compare-exchanges. */
const MAX_NETWORK = 12;

export type HashFn = (s: Uint32Array, out: Uint32Array) => void;

export interface SymmetricLayout {
  readonly fixed: ArrayLike<number>;
  readonly sortedBases: readonly ArrayLike<number>[];
  readonly classBases: readonly ArrayLike<number>[];
  readonly classWords: ArrayLike<number>;
  readonly lanes: 2 | 4;
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/** One word `w` (an expression without side effects) through fingerprint()'s lane functions. */
function mix(w: string, four: boolean): string {
  let s =
    `k = Math.imul(${w}, 0xcc9e2d51); k = (k << 15) | (k >>> 17); a ^= Math.imul(k, 0x1b873593);` +
    ` a = (Math.imul((a << 13) | (a >>> 19), 5) + 0xe6546b64) | 0;` +
    ` b = (b + Math.imul(${w}, 0x85ebca77)) | 0; b = Math.imul((b << 17) | (b >>> 15), 0xc2b2ae3d);\n`;
  if (four) {
    s +=
      ` c = (c + Math.imul(${w}, 0x27d4eb2f)) | 0; c = Math.imul((c << 11) | (c >>> 21), 0x165667b1);` +
      ` k = Math.imul(${w} ^ (${w} >>> 15), 0x9e3779b1); d ^= (k << 19) | (k >>> 13); d = Math.imul((d << 7) | (d >>> 25), 0x85ebca6b);\n`;
  }
  return s;
}

/** The compiled hash of `layout`, or undefined when it is too large to unroll. */
export function compileSymmetricHash(layout: SymmetricLayout): HashFn | undefined {
  const { fixed, sortedBases, classBases, classWords, lanes } = layout;
  const four = lanes === 4;
  let words = fixed.length;
  for (const b of sortedBases) {
    if (b.length > MAX_NETWORK) return undefined;
    words += b.length;
  }
  for (let k = 0; k < classBases.length; k++) words += classBases[k]!.length * classWords[k]!;
  if (words > MAX_UNROLLED_WORDS) return undefined;

  const n = fixed.length + sortedBases.reduce((m, b) => m + b.length, 0) + 2 * classBases.length;
  let body = `'use strict';\nlet k = 0, u = 0, ha = 0, hb = 0, m = 0;\n`;
  body += `let a = ${hex(0x9747b28c ^ n)} | 0, b = ${hex((0x165667b1 + n) | 0)} | 0;\n`;
  if (four) body += `let c = ${hex(0x3c6ef372 ^ n)} | 0, d = ${hex((0xa54ff53a + n) | 0)} | 0;\n`;
  for (let i = 0; i < fixed.length; i++) body += mix(`s[${fixed[i]!}]`, four);
  sortedBases.forEach((bases, k) => {
    const v = (r: number): string => `t${k}_${r}`;
    for (let r = 0; r < bases.length; r++) body += `let ${v(r)} = s[${bases[r]!}];\n`;
    for (let i = 0; i < bases.length; i++) {
      for (let j = 0; j + 1 < bases.length - i; j++) body += `if (${v(j)} > ${v(j + 1)}) { u = ${v(j)}; ${v(j)} = ${v(j + 1)}; ${v(j + 1)} = u; }\n`;
    }
    for (let r = 0; r < bases.length; r++) body += mix(v(r), four);
  });
  classBases.forEach((bases, k) => {
    const w = classWords[k]!;
    body += `let sa${k} = 0, sb${k} = 0;\n`;
    for (let r = 0; r < bases.length; r++) {
      body += `ha = ${hex(0x2545f491 ^ w)} | 0; hb = ${hex((0x6b43a9b5 + w) | 0)} | 0;\n`;
      for (let x = 0; x < w; x++) {
        const e = `s[${bases[r]! + x}]`;
        body +=
          `m = Math.imul(${e}, 0xcc9e2d51); m = (m << 15) | (m >>> 17); ha ^= Math.imul(m, 0x1b873593);` +
          ` ha = (Math.imul((ha << 13) | (ha >>> 19), 5) + 0xe6546b64) | 0;` +
          ` hb = (hb + Math.imul(${e}, 0x85ebca77)) | 0; hb = Math.imul((hb << 17) | (hb >>> 15), 0xc2b2ae3d);\n`;
      }
      body += `sa${k} = (sa${k} + fmix32(ha)) | 0; sb${k} = (sb${k} + fmix32(hb ^ ha)) | 0;\n`;
    }
  });
  // The summed classes' sums follow the sorted words, as in the generic tail.
  classBases.forEach((_, k) => (body += mix(`sa${k}`, four) + mix(`sb${k}`, four)));
  body += `const hi = fmix32(a); let lo = fmix32(b ^ hi); if (hi === 0 && lo === 0) lo = 1; out[0] = hi; out[1] = lo;\n`;
  if (four) body += `out[2] = fmix32(c ^ lo); out[3] = fmix32(d + hi);\n`;
  const make = new Function('fmix32', `return function symmetricHash(s, out) {\n${body}};`) as (f: (h: number) => number) => HashFn;
  return make(fmix32);
}
