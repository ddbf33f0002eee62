/**
 * A named bit field whose place in the packed state is decided after the
 * programs that use it are built: a kernel path declares its registers while
 * it is written, and the machine lays every record out afterwards. A Slot is
 * a Field (word, shift, mask) once placed, so `get`/`set` read it directly.
 */
import { bitsFor, type Field } from '../../../src/engine/layout.ts';

export class Slot implements Field {
  word = -1;
  shift = 0;
  readonly mask: number;
  constructor(
    readonly name: string,
    readonly bits: number,
  ) {
    if (!Number.isInteger(bits) || bits < 1 || bits > 31) throw new RangeError(`slot ${name}: ${bits} bits`);
    this.mask = 2 ** bits - 1;
  }
}

/** The fields of one record (the mm, a CPU, a kernel agent), in declaration order. */
export class RecordSpec {
  readonly slots: Slot[] = [];
  constructor(readonly name: string) {}

  add(name: string, bits: number): Slot {
    if (this.slots.some((s) => s.name === name)) throw new Error(`${this.name}: field ${name} declared twice`);
    const s = new Slot(name, bits);
    this.slots.push(s);
    return s;
  }

  /** A field able to hold 0..max. */
  upTo(name: string, max: number): Slot {
    return this.add(name, bitsFor(Math.max(1, max)));
  }

  find(name: string): Slot | undefined {
    return this.slots.find((s) => s.name === name);
  }

  /**
   * Places the fields from word `base` on, packing them into 32-bit words
   * without straddling; returns the number of words used (at least one).
   */
  place(base: number): number {
    let word = base;
    let used = 0;
    for (const s of this.slots) {
      if (used + s.bits > 32) {
        word++;
        used = 0;
      }
      s.word = word;
      s.shift = used;
      used += s.bits;
    }
    return word - base + 1;
  }
}
