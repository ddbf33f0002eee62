/**
 * Every random choice of a simulation goes through here: one seeded
 * generator per run (seedrandom), so a run is reproduced by its seed alone.
 */
import seedrandom from 'seedrandom';

export class Chooser {
  private readonly rng: seedrandom.PRNG;

  constructor(readonly seed: string) {
    this.rng = seedrandom(seed);
  }

  /** A uniform index in [0, n). */
  pick(n: number): number {
    return Math.floor(this.rng() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.rng() < p;
  }
}
