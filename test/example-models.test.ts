/** Pinned answers for the example models, from the peers (SPIN, rumur) and from closed forms computed here. */
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/check.ts';
import { replay } from '../src/engine/replay.ts';
import { BROKEN_MUTEX_SHORTEST, brokenMutex } from '../models/examples/broken-mutex.ts';
import { peterson } from '../models/examples/peterson.ts';
import { philosophers } from '../models/examples/philosophers.ts';
import { tlbMini, tlbMiniFixedStates } from '../models/examples/tlb-mini.ts';

/** Companion Pell numbers by their recurrence Q(n) = 2Q(n-1) + Q(n-2), Q(0) = Q(1) = 2. */
function pell(n: number): number {
  let a = 2;
  let b = 2;
  for (let i = 1; i < n; i++) [a, b] = [b, 2 * b + a];
  return n === 0 ? a : b;
}

/**
 * Philosopher states by brute force over every pc assignment: reachable iff no
 * philosopher eats while its right neighbour holds a fork (peers' README).
 */
function philosopherStatesBruteForce(n: number): number {
  let count = 0;
  const pc = new Array<number>(n).fill(0);
  for (let code = 0; code < 3 ** n; code++) {
    let c = code;
    for (let i = 0; i < n; i++) {
      pc[i] = c % 3;
      c = Math.floor(c / 3);
    }
    let ok = true;
    for (let i = 0; i < n && ok; i++) if (pc[i] === 2 && pc[(i + 1) % n]! >= 1) ok = false;
    if (ok) count++;
  }
  return count;
}

describe('peterson', () => {
  it('holds with 20 states and 34 transitions (SPIN, rumur)', () => {
    const r = check(peterson());
    expect(r.verdict).toBe('holds');
    expect(r.stats.states).toBe(20);
    expect(r.stats.transitions).toBe(34);
  });
  it('DFS reaches the same 20 states', () => {
    expect(check(peterson(), { strategy: 'dfs' }).stats.states).toBe(20);
  });
});

describe('broken-mutex', () => {
  it(`violates mutex with a shortest trace of ${BROKEN_MUTEX_SHORTEST} steps that replays`, () => {
    const m = brokenMutex();
    const r = check(m);
    expect(r.verdict).toBe('violated');
    const v = r.violations[0]!;
    expect(v.property).toBe('mutex');
    expect(v.path.length).toBe(BROKEN_MUTEX_SHORTEST);
    const end = replay(m, v.initial, v.path).steps.at(-1)!.state;
    expect(end[0]).toBe(2);
    expect(end[1]).toBe(2);
  });
});

describe('philosophers', () => {
  for (let n = 2; n <= 10; n++) {
    it(`N=${n}: deadlock in ${n} steps; --all reaches Q(${n}) states`, () => {
      const expected = philosopherStatesBruteForce(n);
      expect(expected).toBe(pell(n));
      const first = check(philosophers(n));
      expect(first.verdict).toBe('violated');
      expect(first.violations[0]!.property).toBe('deadlock');
      expect(first.violations[0]!.path.length).toBe(n);
      const all = check(philosophers(n), { all: true });
      expect(all.stats.states).toBe(expected);
      expect(all.complete).toBe(true);
      expect(check(philosophers(n), { all: true, strategy: 'dfs' }).stats.states).toBe(expected);
    });
  }
  it('N=10 complete search: 6726 states, 43480 transitions (rumur rules fired)', () => {
    const r = check(philosophers(10), { all: true });
    expect(r.stats.states).toBe(6726);
    expect(r.stats.transitions).toBe(43480);
  });
  it('the only deadlock is everyone holding the left fork', () => {
    const m = philosophers(4);
    const v = check(m).violations[0]!;
    const end = m.decode(replay(m, v.initial, v.path).steps.at(-1)!.state) as { pc: string[]; fork: boolean[] };
    expect(end.pc).toEqual(['hasLeft', 'hasLeft', 'hasLeft', 'hasLeft']);
    expect(end.fork).toEqual([true, true, true, true]);
  });
});

describe('tlb-mini (peers: SPIN, rumur)', () => {
  const fixed = (ncpu: number, npage: number, symmetry = false) =>
    check(tlbMini({ ncpu, npage, variant: 'fixed', checkFree: true }), { symmetry });
  for (const [ncpu, npage] of [
    [2, 1],
    [2, 3],
    [3, 2],
    [4, 3],
    [5, 2],
  ] as const) {
    it(`FIXED ${ncpu}x${npage} holds with the closed-form count ${tlbMiniFixedStates(ncpu, npage)}`, () => {
      const r = fixed(ncpu, npage);
      expect(r.verdict).toBe('holds');
      expect(r.stats.states).toBe(tlbMiniFixedStates(ncpu, npage));
    });
  }
  it('FIXED 4x3: 20639 transitions, as rumur fires', () => {
    expect(fixed(4, 3).stats.transitions).toBe(20639);
  });
  it('symmetry reduction gives rumur\'s orbit counts', () => {
    expect(fixed(3, 2, true).stats.states).toBe(37);
    expect(fixed(4, 2, true).stats.states).toBe(67);
    expect(fixed(3, 3, true).stats.states).toBe(159);
    expect(fixed(4, 3, true).stats.states).toBe(495);
    expect(fixed(6, 3, true).stats.states).toBe(3183);
  });
  it('BUGGY violates P2 in 3 steps (fill, clear, free)', () => {
    const m = tlbMini({ ncpu: 3, npage: 2, variant: 'buggy', checkFree: true });
    const r = check(m);
    expect(r.verdict).toBe('violated');
    expect(r.violations[0]!.property).toBe('no-stale-tlb-at-free');
    expect(r.violations[0]!.path.map((a) => m.actions[a]!.name)).toEqual(['step(1,0)', 'clear(0)', 'free(0)']);
  });
  it('BUGGY without the free check violates P1 in 4 steps', () => {
    const r = check(tlbMini({ ncpu: 2, npage: 3, variant: 'buggy', checkFree: false }));
    expect(r.violations[0]!.property).toBe('no-access-after-free');
    expect(r.violations[0]!.path.length).toBe(4);
  });
  it('symmetry does not change the verdict of BUGGY', () => {
    const r = check(tlbMini({ ncpu: 4, npage: 2, variant: 'buggy', checkFree: true }), { symmetry: true });
    expect(r.verdict).toBe('violated');
    expect(r.violations[0]!.path.length).toBe(3);
  });
});

describe('bounds end in incomplete, never holds', () => {
  it('--max-states', () => {
    const r = check(peterson(), { maxStates: 10 });
    expect(r.verdict).toBe('incomplete');
    expect(r.bound).toBe('max-states');
    expect(r.stats.states).toBe(10);
  });
  it('--max-states equal to the state count is still complete', () => {
    expect(check(peterson(), { maxStates: 20 }).verdict).toBe('holds');
  });
  it('--max-depth below the diameter', () => {
    const r = check(peterson(), { maxDepth: 3 });
    expect(r.verdict).toBe('incomplete');
    expect(r.bound).toBe('max-depth');
  });
  it('--max-depth at the diameter is complete', () => {
    const full = check(peterson());
    expect(check(peterson(), { maxDepth: full.stats.depth }).verdict).toBe('holds');
  });
  it('--time-limit', () => {
    const r = check(philosophers(16), { all: true, timeLimitSeconds: 0.05 });
    expect(r.verdict).toBe('incomplete');
    expect(r.bound).toBe('time-limit');
    expect(r.complete).toBe(false);
  });
  it('a violation found before a bound is still a violation', () => {
    const r = check(brokenMutex(), { maxDepth: 10 });
    expect(r.verdict).toBe('violated');
  });
});

describe('deadlock', () => {
  it('can be switched off; the complete search then holds', () => {
    const r = check(philosophers(5), { checkDeadlock: false });
    expect(r.verdict).toBe('holds');
    expect(r.stats.states).toBe(82);
  });
  it('final states are not deadlocks', () => {
    // tlb-mini never deadlocks: the unmapper's end is final and accessors always move.
    expect(check(tlbMini({ ncpu: 2, npage: 1, variant: 'fixed', checkFree: true })).verdict).toBe('holds');
  });
});

describe('a depth bound never hides a violating step', () => {
  // s0 -> s1, and s1 has a self-loop that breaks a step property: with the bound at
  // the graph's depth, the self-loop must still be checked (review finding).
  const model = {
    name: 'loop',
    stateWords: 1,
    agents: ['a'],
    actions: [
      { agent: 0, name: 'go' },
      { agent: 0, name: 'spin' },
    ],
    invariants: [{ id: 'no-spin', statement: 'never spin', holdsOnStep: (_s: Uint32Array, a: number) => a !== 1 }],
    initialStates: () => [Uint32Array.of(0)],
    step: (s: Uint32Array, a: number, out: Uint32Array) => {
      if (a === 0 && s[0] === 0) return ((out[0] = 1), true);
      if (a === 1 && s[0] === 1) return ((out[0] = 1), true);
      return false;
    },
    isFinal: () => true,
    decode: (s: Uint32Array) => ({ s: s[0]! }),
  };
  for (const strategy of ['bfs', 'dfs'] as const) {
    it(`${strategy}: --max-depth 1 still reports the violating self-loop`, () => {
      expect(check(model, { strategy }).verdict).toBe('violated');
      const r = check(model, { strategy, maxDepth: 1 });
      expect(r.verdict).toBe('violated');
      expect(r.violations[0]!.path).toEqual([0, 1]);
    });
  }
});
