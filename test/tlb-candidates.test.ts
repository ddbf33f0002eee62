/**
 * The TLB machine's enabling mask (TlbMachine.candidates, from its gates)
 * must name every enabled action: in every state the search meets, on every
 * configuration of the matrix, each action whose step is enabled is among
 * the candidates. The search counts (matrix.json) would also change if one
 * were missed; this says which action and where.
 */
import { describe, expect, it } from 'vitest';
import { tlbFactory } from '../models/tlb/index.ts';
import { entryId, entryParams, loadMatrix } from '../models/tlb/matrix.ts';
import { fingerprint } from '../src/engine/fingerprint.ts';

describe('TlbMachine.candidates', () => {
  it('names every enabled action in the first 1,500 states of every matrix row', () => {
    const file = loadMatrix();
    const missed: string[] = [];
    let statesSeen = 0;
    for (const e of file.rows) {
      const m = tlbFactory.create(tlbFactory.normalize ? tlbFactory.normalize(entryParams(file, e)) : entryParams(file, e));
      const W = m.stateWords;
      const A = m.actions.length;
      const t = new Uint32Array(W);
      const cands = new Int32Array(A);
      const isCand = new Uint8Array(A);
      const seen = new Set<string>();
      const fp = new Uint32Array(2);
      const queue = [...m.initialStates()];
      for (let i = 0; i < queue.length && i < 1500; i++) {
        const s = queue[i]!;
        statesSeen++;
        isCand.fill(0);
        const n = m.candidates!(s, cands);
        for (let k = 0; k < n; k++) isCand[cands[k]!] = 1;
        for (let a = 0; a < A; a++) {
          if (!m.step(s, a, t)) continue;
          if (!isCand[a]) missed.push(`${entryId(e)}: ${m.actions[a]!.name}`);
          fingerprint(t, W, fp);
          const key = `${fp[0]}:${fp[1]}`;
          if (!seen.has(key)) {
            seen.add(key);
            queue.push(Uint32Array.from(t));
          }
        }
        if (missed.length > 5) break;
      }
    }
    expect(missed).toEqual([]);
    expect(statesSeen).toBeGreaterThan(100_000);
  });
});
