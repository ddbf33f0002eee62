/**
 * Peterson's mutual exclusion for two processes, with exactly the semantics
 * of ../shared/peers (peterson2): 20 states, 34 transitions, mutex holds.
 * Two reachability properties show the invariant is not vacuous: process 0
 * does reach its critical section (in 3 steps), and a state with both in it
 * is unreachable.
 */
import type { ActionInfo, Model, ModelFactory, State } from '../../src/engine/model.ts';

// Word layout: pc0, pc1, flag0, flag1, turn.
const PC = [0, 1] as const;
const FLAG = [2, 3] as const;
const TURN = 4;

const KINDS = ['setFlag', 'setTurn', 'enter', 'exit'] as const;

export function peterson(): Model {
  const actions: ActionInfo[] = [];
  for (let i = 0; i < 2; i++) for (const k of KINDS) actions.push({ agent: i, name: `${k}(${i})` });
  return {
    name: 'peterson',
    stateWords: 5,
    agents: ['p0', 'p1'],
    actions,
    invariants: [
      { id: 'mutex', statement: 'the two processes are never both in the critical section', holds: (s) => !(s[PC[0]] === 3 && s[PC[1]] === 3) },
    ],
    sometimes: [
      { id: 'p0-critical', statement: 'process 0 is in its critical section', reached: (s) => s[PC[0]] === 3 },
      { id: 'both-critical', statement: 'both processes are in their critical sections', reached: (s) => s[PC[0]] === 3 && s[PC[1]] === 3 },
      { id: 'p1-enters-while-p0-waits', statement: 'process 1 enters while process 0 waits at the gate', reachedOnStep: (s, a, t) => a === 6 && s[PC[0]] === 2 && t[PC[1]] === 3 },
    ],
    initialStates: () => [new Uint32Array(5)],
    step(s: State, a: number, out: State): boolean {
      const i = a >> 2;
      const j = 1 - i;
      const pc = s[PC[i as 0 | 1]]!;
      out.set(s);
      switch (a & 3) {
        case 0:
          if (pc !== 0) return false;
          out[FLAG[i as 0 | 1]] = 1;
          out[PC[i as 0 | 1]] = 1;
          return true;
        case 1:
          if (pc !== 1) return false;
          out[TURN] = j;
          out[PC[i as 0 | 1]] = 2;
          return true;
        case 2:
          if (pc !== 2 || !(s[FLAG[j as 0 | 1]] === 0 || s[TURN] === i)) return false;
          out[PC[i as 0 | 1]] = 3;
          return true;
        default:
          if (pc !== 3) return false;
          out[FLAG[i as 0 | 1]] = 0;
          out[PC[i as 0 | 1]] = 0;
          return true;
      }
    },
    isFinal: () => false,
    decode: (s) => ({ pc: [s[0]!, s[1]!], flag: [s[2] === 1, s[3] === 1], turn: s[4]! }),
  };
}

export const petersonFactory: ModelFactory = {
  id: 'peterson',
  summary: "Peterson's mutex, 2 processes (holds; 20 states)",
  params: [],
  properties: [
    { id: 'mutex', statement: 'the two processes are never both in the critical section' },
    { id: 'p0-critical', statement: 'process 0 is in its critical section', kind: 'sometimes' },
    { id: 'both-critical', statement: 'both processes are in their critical sections', kind: 'sometimes' },
    { id: 'p1-enters-while-p0-waits', statement: 'process 1 enters while process 0 waits at the gate', kind: 'sometimes' },
  ],
  create: () => peterson(),
};
