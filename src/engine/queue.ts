/**
 * FIFO of packed states for breadth-first search: fixed-size chunks of
 * Uint32Array, released as soon as the head has moved past them, so the
 * frontier costs `words * 4` bytes per queued state and nothing more.
 */
export class StateQueue {
  private readonly chunks: Uint32Array[] = [];
  private readonly perChunk: number;
  private headChunk = 0;
  private headPos = 0;
  private tailPos: number;
  length = 0;
  /** Largest number of states queued at once. */
  peak = 0;

  constructor(private readonly words: number, chunkBytes = 1 << 20) {
    this.perChunk = Math.max(1, Math.floor(chunkBytes / 4 / Math.max(1, words)));
    this.tailPos = this.perChunk; // forces a chunk allocation on first push
  }

  get bytes(): number {
    return (this.chunks.length - this.headChunk) * this.perChunk * this.words * 4;
  }

  push(s: Uint32Array): void {
    if (this.tailPos === this.perChunk) {
      this.chunks.push(new Uint32Array(this.perChunk * this.words));
      this.tailPos = 0;
    }
    const chunk = this.chunks[this.chunks.length - 1]!;
    const base = this.tailPos * this.words;
    for (let i = 0; i < this.words; i++) chunk[base + i] = s[i]!;
    this.tailPos++;
    if (++this.length > this.peak) this.peak = this.length;
  }

  /** Copies the oldest state into `out` and removes it. Caller checks `length > 0`. */
  shift(out: Uint32Array): void {
    const words = this.words;
    const chunk = this.chunks[this.headChunk]!;
    const base = this.headPos * words;
    for (let i = 0; i < words; i++) out[i] = chunk[base + i]!;
    this.length--;
    if (++this.headPos === this.perChunk) {
      // Drop the consumed chunk so its memory can be reclaimed.
      (this.chunks as (Uint32Array | undefined)[])[this.headChunk] = undefined;
      this.headChunk++;
      this.headPos = 0;
    }
  }
}
