/**
 * The search's own structures against plain references: the visited sets
 * (64- and 128-bit, growing in place) against a JS Set, the compact BFS
 * parent links against explicit parent arrays, and the spilling frontier
 * against an array. Deterministic, and fast-check where the shapes vary.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateQueue } from '../src/engine/queue.ts';
import { BfsLinks, FingerprintSet, FingerprintSet128, grownCapacity } from '../src/engine/visited.ts';
import { readdirSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

describe('visited sets', () => {
  it('64-bit: pairs() lists every stored fingerprint once, as the (hi, lo) pairs add2 takes (the cluster simulation jobs send them)', () => {
    const set = new FingerprintSet(16);
    const rnd = xorshift(7);
    const ref = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const h = rnd();
      const l = i % 3 === 0 ? rnd() % 64 : rnd(); // some crowded homes
      if (h === 0 && l === 0) continue;
      set.add2(h, l);
      ref.add(`${h},${l}`);
      if (i % 5 === 0) set.add2(h, l); // a duplicate
    }
    const p = set.pairs();
    expect(p.length).toBe(2 * ref.size);
    const got = new Set<string>();
    for (let k = 0; k < p.length; k += 2) got.add(`${p[k]},${p[k + 1]}`);
    expect(got).toEqual(ref);
    const copy = new FingerprintSet();
    for (let k = 0; k < p.length; k += 2) expect(copy.add2(p[k]!, p[k + 1]!)).toBe(true);
    for (let k = 0; k < p.length; k += 2) expect(set.has2(p[k]!, p[k + 1]!)).toBe(true);
  });

  for (const [name, make, lanes] of [
    ['64-bit', () => new FingerprintSet(16), 2],
    ['128-bit', () => new FingerprintSet128(16), 4],
  ] as const) {
    it(`${name}: agrees with a Set through many in-place growths (duplicates, clustered and extreme keys)`, () => {
      const set = make();
      const ref = new Set<string>();
      const keys: string[] = [];
      const rnd = xorshift(42);
      const fp = new Uint32Array(lanes);
      let wrong = 0;
      for (let i = 0; i < 60_000; i++) {
        const r = rnd();
        for (let l = 0; l < lanes; l++) fp[l] = rnd();
        // Low words crowded near both ends and in narrow bands: long clusters, wrap-around.
        // (A few: real fingerprints are uniform, and a crowd of equal homes is quadratic.)
        const mode = r % 100;
        if (mode === 0) fp[1] = 0xffffffff - (rnd() % 5000);
        else if (mode === 1) fp[1] = rnd() % 5000;
        else if (mode === 2) fp[1] = 0x80000000 + (rnd() % 64);
        if (i % 7 === 3 && keys.length > 0) fp.set(keys[rnd() % keys.length]!.split(',').map(Number)); // a known key: must be found
        if (fp.every((w) => w === 0)) fp[1] = 1;
        const key = Array.from(fp).join(',');
        if (set.add(fp, 0) !== !ref.has(key)) wrong++;
        if (!ref.has(key)) keys.push(key);
        ref.add(key);
        if (set.size !== ref.size) wrong++;
      }
      expect(wrong).toBe(0);
      expect(keys.filter((key) => !set.has(Uint32Array.from(key.split(',').map(Number)), 0))).toEqual([]);
      let absent = 0;
      for (let i = 0; i < 20_000; i++) {
        for (let l = 0; l < lanes; l++) fp[l] = rnd();
        if (!ref.has(Array.from(fp).join(','))) {
          absent++;
          if (set.has(fp, 0)) wrong++;
        }
      }
      expect(absent).toBeGreaterThan(19_000);
      expect(wrong).toBe(0);
      // At most 85% full, and (small tables growing by half) at least 85% / 1.5.
      expect(set.bytes / set.size).toBeLessThan((lanes * 4) / (0.85 / 1.5 - 0.01));
      expect(set.bytes / set.size).toBeGreaterThan((lanes * 4) / 0.85);
    });
  }

  it('64-bit, large: grows by an eighth from 2^20 slots, stays 75-85% full, and loses nothing', () => {
    expect(grownCapacity(1000)).toBe(1500);
    expect(grownCapacity(1 << 20)).toBe((1 << 20) * 1.125);
    const set = new FingerprintSet();
    const rnd = xorshift(7);
    const n = 5_000_000;
    const sample: number[] = [];
    let added = 0;
    for (let i = 0; i < n; i++) {
      const h = (rnd() | 1) >>> 0;
      const l = rnd() >>> 0;
      if (set.add2(h, l)) added++;
      if (i % 1000 === 0) sample.push(h, l);
    }
    // Random 64-bit keys: a repeat among 5 M has odds of about 1e-6.
    expect(added).toBe(n);
    expect(set.size).toBe(n);
    expect(set.capacity).toBeGreaterThan(1 << 22);
    expect(set.bytes / set.size).toBeGreaterThan(8 / 0.85);
    expect(set.bytes / set.size).toBeLessThan(8 / 0.75);
    let missing = 0;
    for (let k = 0; k < sample.length; k += 2) if (!set.has2(sample[k]!, sample[k + 1]!)) missing++;
    expect(missing).toBe(0);
  });
});

describe('BFS parent links', () => {
  it('rebuild every path of random BFS-shaped trees (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 2000 }),
        fc.integer({ min: 0, max: 1 << 30 }),
        (actionCount, inits, childCounts, seed) => {
          const rnd = xorshift(seed + 1);
          const links = new BfsLinks(actionCount);
          const parent: number[] = [];
          const action: number[] = [];
          for (let k = 0; k < inits; k++) {
            links.pushInitial(k * 3);
            parent.push(-1);
            action.push(k * 3);
          }
          // Expand states in order, giving each the next child count.
          for (let p = 0; p < parent.length && p < childCounts.length; p++) {
            for (let c = 0; c < childCounts[p]!; c++) {
              const a = rnd() % actionCount;
              expect(links.pushChild(a)).toBe(parent.length);
              parent.push(p);
              action.push(a);
            }
            links.endParent();
          }
          expect(links.size).toBe(parent.length);
          for (let i = 0; i < parent.length; i++) {
            const want: number[] = [];
            let cur = i;
            while (parent[cur]! >= 0) {
              want.push(action[cur]!);
              cur = parent[cur]!;
            }
            want.reverse();
            expect(links.pathTo(i)).toEqual({ initial: action[cur]!, actions: want });
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('stay near a byte per state for a wide tree', () => {
    const links = new BfsLinks(54);
    links.pushInitial(0);
    let n = 1;
    for (let p = 0; n < 200_000; p++) {
      for (let c = 0; c < 2; c++) {
        links.pushChild((p + c) % 54);
        n++;
      }
      links.endParent();
    }
    expect(links.bytes / links.size).toBeLessThan(1.5);
    expect(links.pathTo(199_999).actions.length).toBeGreaterThan(10);
  });
});

describe('frontier queue', () => {
  it('is FIFO in memory and when spilling to per-level files, which it deletes, through push and push2 (fast-check)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlbcheck-test-'));
    try {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 5 }),
          fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 })), { minLength: 1, maxLength: 30 }),
          fc.boolean(),
          (words, ops, spill) => {
            const q = new StateQueue(words, spill ? { memoryBytes: 3 * 64 * words * 4, chunkBytes: 64 * words * 4, spillDir: dir } : { chunkBytes: 64 * words * 4 });
            const ref: number[] = [];
            let next = 1;
            const s = new Uint32Array(words);
            const out = new Uint32Array(words);
            for (const [pushes, shifts] of ops) {
              for (let i = 0; i < pushes; i++) {
                for (let w = 0; w < words; w++) s[w] = next * 31 + w;
                // push2 (a state with two words of its own) for every other state, when there are two words to spare.
                if (words >= 2 && i % 2 === 1) q.push2(s, s[words - 2]!, s[words - 1]!);
                else q.push(s);
                ref.push(next++);
              }
              for (let i = 0; i < shifts && ref.length > 0; i++) {
                q.shift(out);
                const want = ref.shift()!;
                for (let w = 0; w < words; w++) expect(out[w]).toBe(want * 31 + w);
              }
              expect(q.length).toBe(ref.length);
              q.nextLevel();
            }
            while (ref.length > 0) {
              q.shift(out);
              expect(out[0]).toBe(ref.shift()! * 31);
            }
            if (!spill) expect(q.spilledStates).toBe(0);
            else expect(q.bytes).toBeLessThanOrEqual(6 * 64 * words * 4);
            q.dispose();
          },
        ),
        { numRuns: 120 },
      );
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
