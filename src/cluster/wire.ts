/**
 * What partitions send each other: batches of states in one typed-array
 * buffer (thousands of states per message), never JSON per state. A message
 * is little-endian 32-bit words:
 *
 *   [kind, from, level, count]  then `count` records of
 *   [state words (W), fp hi, fp lo, parent fp hi, parent fp lo, action]
 *
 * kind STATES: successors to insert; PROBE: successors beyond --max-depth,
 * only to learn whether any is new; END: the sender has sent everything of
 * this level to this receiver (count 0). The fingerprint travels with the
 * state, so the owner never canonicalizes or hashes it again.
 */
export const KIND_STATES = 1;
export const KIND_PROBE = 2;
export const KIND_END = 3;
export const HEADER_WORDS = 4;
/** Words per record beyond the state's own. */
export const RECORD_EXTRA = 5;

/** Sent buffers an OutBatch keeps for reuse. */
const SPARES = 4;

/** An outgoing batch for one receiver, filled in place and handed to Redis whole. */
export class OutBatch {
  words: Uint32Array;
  count = 0;
  private readonly spares: Uint32Array[] = [];
  private readonly rec: number;

  constructor(
    stateWords: number,
    private readonly capacity: number,
    private readonly from: number,
  ) {
    this.rec = stateWords + RECORD_EXTRA;
    this.words = new Uint32Array(HEADER_WORDS + capacity * this.rec);
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  push(t: Uint32Array, w: number, h: number, l: number, ph: number, pl: number, a: number): void {
    const out = this.words;
    let o = HEADER_WORDS + this.count * this.rec;
    for (let i = 0; i < w; i++) out[o++] = t[i]!;
    out[o++] = h;
    out[o++] = l;
    out[o++] = ph;
    out[o++] = pl;
    out[o] = a;
    this.count++;
  }

  /**
   * The message (a Buffer over the batch's own words) and a reset batch on
   * another buffer: a spare, once `release` has given one back, else a new
   * one (fresh memory each message made the garbage collector run all the
   * time for external memory).
   */
  take(kind: number, level: number): Buffer {
    const n = HEADER_WORDS + this.count * this.rec;
    const msg = this.words;
    msg[0] = kind;
    msg[1] = this.from;
    msg[2] = level;
    msg[3] = this.count;
    this.count = 0;
    this.words = this.spares.pop() ?? new Uint32Array(msg.length);
    return Buffer.from(msg.buffer, 0, n * 4);
  }

  /**
   * Gives back a message from `take` once it is sent: its bytes must not be needed any more. ioredis copies a
   * command's arguments when it writes it, and the send has resolved; a stand-in for Redis that kept the Buffer
   * itself would have to copy it.
   */
  release(b: Buffer): void {
    if (this.spares.length < SPARES && b.buffer.byteLength === this.words.byteLength) this.spares.push(new Uint32Array(b.buffer));
  }
}

export function endMessage(from: number, level: number): Buffer {
  return Buffer.from(new Uint32Array([KIND_END, from, level, 0]).buffer);
}

/** A received message as 32-bit words (copied when the Buffer is not 4-byte aligned). */
export function wordsOf(b: Buffer): Uint32Array {
  if (b.byteOffset % 4 === 0) return new Uint32Array(b.buffer, b.byteOffset, b.byteLength >>> 2);
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Uint32Array(copy.buffer, 0, b.byteLength >>> 2);
}
