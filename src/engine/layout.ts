/**
 * Packed state layouts: named bit fields laid out in 32-bit words, so a model
 * can keep its whole state in a few words without hand-computing shifts.
 * A field never straddles a word boundary (one load, one mask per read).
 */

export interface Field {
  readonly name: string;
  readonly word: number;
  readonly shift: number;
  /** Mask of the field's value, before shifting. */
  readonly mask: number;
  readonly bits: number;
}

export class Layout {
  private word = 0;
  private used = 0; // bits used in the current word
  private readonly all: Field[] = [];

  /** Adds a field able to hold 0..2^bits-1 (at most 31 bits, so values stay non-negative). */
  field(name: string, bits: number): Field {
    if (!Number.isInteger(bits) || bits < 1 || bits > 31) throw new RangeError(`field ${name}: ${bits} bits`);
    if (this.used + bits > 32) {
      this.word++;
      this.used = 0;
    }
    const f: Field = { name, word: this.word, shift: this.used, mask: 2 ** bits - 1, bits };
    this.used += bits;
    this.all.push(f);
    return f;
  }

  /** Adds `count` fields `name[0..count)` of `bits` each. */
  array(name: string, count: number, bits: number): Field[] {
    const out: Field[] = [];
    for (let i = 0; i < count; i++) out.push(this.field(`${name}[${i}]`, bits));
    return out;
  }

  /** Number of 32-bit words a state needs. */
  get words(): number {
    return this.used === 0 ? Math.max(1, this.word) : this.word + 1;
  }

  get fields(): readonly Field[] {
    return this.all;
  }
}

/** Smallest number of bits that can hold 0..maxValue. */
export function bitsFor(maxValue: number): number {
  let b = 1;
  while (2 ** b <= maxValue) b++;
  return b;
}

export function get(s: Uint32Array, f: Field): number {
  return (s[f.word]! >>> f.shift) & f.mask;
}

export function set(s: Uint32Array, f: Field, v: number): void {
  const m = f.mask << f.shift;
  s[f.word] = (s[f.word]! & ~m) | ((v << f.shift) & m);
}
