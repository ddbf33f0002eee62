/**
 * N processes, each counting its own counter up to K: no shared state, so
 * every interleaving of their steps reaches the same final state. The full
 * state space has (K+1)^N states; with partial-order reduction one process
 * at a time is expanded and about N*K remain. The invariant (counter 0 stays
 * within its bound) makes process 0 visible, as a property would.
 */
import type { ActionInfo, Model, ModelFactory, State } from '../../src/engine/model.ts';

export function counters(n: number, k: number): Model {
  const actions: ActionInfo[] = Array.from({ length: n }, (_, i) => ({ agent: i, name: `inc(${i})` }));
  return {
    name: 'counters',
    stateWords: n,
    agents: Array.from({ length: n }, (_, i) => `p${i}`),
    actions,
    invariants: [{ id: 'bounded', statement: 'counter 0 never exceeds K', holds: (s) => s[0]! <= k }],
    initialStates: () => [new Uint32Array(n)],
    step(s: State, a: number, out: State): boolean {
      if (s[a]! >= k) return false;
      for (let i = 0; i < n; i++) out[i] = s[i]!;
      out[a] = s[a]! + 1;
      return true;
    },
    isFinal: (s) => s.every((x) => x === k),
    decode: (s) => ({ counter: Array.from(s) }),
    independence: {
      reads: actions.map((_, i) => [i]),
      writes: actions.map((_, i) => [i]),
      invariantReads: { bounded: [0] },
    },
  };
}

export const countersFactory: ModelFactory = {
  id: 'counters',
  summary: 'N independent counters to K: (K+1)^N states, about N*K with --por',
  params: [
    { name: 'n', description: 'processes', kind: 'int', default: 4, min: 1, max: 16 },
    { name: 'k', description: 'steps per process', kind: 'int', default: 5, min: 1, max: 1000 },
  ],
  properties: [{ id: 'bounded', statement: 'counter 0 never exceeds K' }],
  validate: (p) => (((p['k'] as number) + 1) ** (p['n'] as number) > 1e12 ? 'counters: (k+1)^n must stay below 10^12' : undefined),
  create: (p) => counters(p['n'] as number, p['k'] as number),
};
