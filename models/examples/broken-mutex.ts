/**
 * A mutex that tests the other's flag before setting its own: both processes
 * can pass the test before either sets its flag. Shortest violation: 4 steps
 * (test(0), test(1), set(0), set(1)).
 */
import type { ActionInfo, Model, ModelFactory, State } from '../../src/engine/model.ts';

// Words: pc0, pc1 (0 idle, 1 tested, 2 critical), flag0, flag1.
const KINDS = ['test', 'set', 'exit'] as const;
export const BROKEN_MUTEX_SHORTEST = 4;

export function brokenMutex(): Model {
  const actions: ActionInfo[] = [];
  for (let i = 0; i < 2; i++) for (const k of KINDS) actions.push({ agent: i, name: `${k}(${i})` });
  return {
    name: 'broken-mutex',
    stateWords: 4,
    agents: ['p0', 'p1'],
    actions,
    invariants: [
      { id: 'mutex', statement: 'the two processes are never both in the critical section', holds: (s) => !(s[0] === 2 && s[1] === 2) },
    ],
    initialStates: () => [new Uint32Array(4)],
    step(s: State, a: number, out: State): boolean {
      const i = Math.floor(a / 3);
      const j = 1 - i;
      const pc = s[i]!;
      out.set(s);
      switch (a % 3) {
        case 0:
          if (pc !== 0 || s[2 + j] !== 0) return false;
          out[i] = 1;
          return true;
        case 1:
          if (pc !== 1) return false;
          out[2 + i] = 1;
          out[i] = 2;
          return true;
        default:
          if (pc !== 2) return false;
          out[2 + i] = 0;
          out[i] = 0;
          return true;
      }
    },
    isFinal: () => false,
    decode: (s) => ({ pc: [s[0]!, s[1]!], flag: [s[2] === 1, s[3] === 1] }),
  };
}

export const brokenMutexFactory: ModelFactory = {
  id: 'broken-mutex',
  summary: 'a test-then-set mutex (violates mutex in 4 steps)',
  params: [],
  properties: [{ id: 'mutex', statement: 'the two processes are never both in the critical section' }],
  create: () => brokenMutex(),
};
