/**
 * Straight-line code for one SymmetricHasher layout. The generic hash walks
 * index arrays, sorts into a scratch array and branches per word on fixed
 * or tail; for a given model all of that is known at construction, so the
 * layout is compiled once into a function with the word indices as
 * constants, the sorted classes in locals (a compare-exchange network) and
 * the lanes unrolled. It computes exactly the generic hash's bits (tested).
 */
import { fmix32, LANES } from './fingerprint.ts';

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

/** One word `w` (an expression without side effects) through fingerprint()'s lane functions, into a and b (and c and d). */
function mix(w: string, four: boolean): string {
  let s = laneAB(w, 'k', 'a', 'b');
  if (four) {
    s +=
      ` c = (c + Math.imul(${w}, ${hex(LANES.Q1)})) | 0; c = Math.imul((c << 11) | (c >>> 21), ${hex(LANES.Q2)});` +
      ` k = Math.imul(${w} ^ (${w} >>> 15), ${hex(LANES.R1)}); d ^= (k << 19) | (k >>> 13); d = Math.imul((d << 7) | (d >>> 25), ${hex(LANES.R2)});\n`;
  }
  return s;
}

/** Lanes A and B of word `w` into the variables named `a` and `b` (`k` a scratch variable). */
function laneAB(w: string, k: string, a: string, b: string): string {
  return (
    `${k} = Math.imul(${w}, ${hex(LANES.C1)}); ${k} = (${k} << 15) | (${k} >>> 17); ${a} ^= Math.imul(${k}, ${hex(LANES.C2)});` +
    ` ${a} = (Math.imul((${a} << 13) | (${a} >>> 19), 5) + ${hex(LANES.A_ADD)}) | 0;` +
    ` ${b} = (${b} + Math.imul(${w}, ${hex(LANES.P2)})) | 0; ${b} = Math.imul((${b} << 17) | (${b} >>> 15), ${hex(LANES.P3)});\n`
  );
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
  body += `let a = ${hex(LANES.SEED_A ^ n)} | 0, b = ${hex((LANES.SEED_B + n) | 0)} | 0;\n`;
  if (four) body += `let c = ${hex(LANES.SEED_C ^ n)} | 0, d = ${hex((LANES.SEED_D + n) | 0)} | 0;\n`;
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
      body += `ha = ${hex(LANES.SEED_RA ^ w)} | 0; hb = ${hex((LANES.SEED_RB + w) | 0)} | 0;\n`;
      for (let x = 0; x < w; x++) {
        body += laneAB(`s[${bases[r]! + x}]`, 'm', 'ha', 'hb');
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
