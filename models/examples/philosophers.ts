/**
 * N dining philosophers with exactly the semantics of ../shared/peers
 * (philosophers-N): takeLeft, takeRight, release. The only deadlock is every
 * philosopher holding its left fork (N steps); the complete search reaches
 * the companion Pell number Q(N) of states.
 */
import { Layout, get, set, type Field } from '../../src/engine/layout.ts';
import type { ActionInfo, Model, ModelFactory, State } from '../../src/engine/model.ts';

const THINK = 0;
const HASLEFT = 1;
const EAT = 2;
const LOC = ['think', 'hasLeft', 'eat'] as const;
export const PHILOSOPHERS_MAX = 24;

export function philosophers(n: number): Model {
  const layout = new Layout();
  const pc: Field[] = layout.array('pc', n, 2);
  const fork: Field[] = layout.array('fork', n, 1);
  const W = layout.words;
  const actions: ActionInfo[] = [];
  for (let i = 0; i < n; i++) {
    actions.push({ agent: i, name: `takeLeft(${i})` }, { agent: i, name: `takeRight(${i})` }, { agent: i, name: `release(${i})` });
  }
  return {
    name: 'philosophers',
    stateWords: W,
    agents: Array.from({ length: n }, (_, i) => `phil${i}`),
    actions,
    invariants: [],
    deadlock: { id: 'deadlock', statement: 'some philosopher can always move' },
    initialStates: () => [new Uint32Array(W)],
    step(s: State, a: number, out: State): boolean {
      const i = (a / 3) | 0;
      const kind = a - i * 3;
      const p = pc[i]!;
      const left = fork[i]!;
      const right = fork[(i + 1) % n]!;
      const loc = get(s, p);
      if (kind === 0) {
        if (loc !== THINK || get(s, left) !== 0) return false;
        for (let i = 0; i < W; i++) out[i] = s[i]!;
        set(out, left, 1);
        set(out, p, HASLEFT);
      } else if (kind === 1) {
        if (loc !== HASLEFT || get(s, right) !== 0) return false;
        for (let i = 0; i < W; i++) out[i] = s[i]!;
        set(out, right, 1);
        set(out, p, EAT);
      } else {
        if (loc !== EAT) return false;
        for (let i = 0; i < W; i++) out[i] = s[i]!;
        set(out, left, 0);
        set(out, right, 0);
        set(out, p, THINK);
      }
      return true;
    },
    isFinal: () => false,
    decode: (s) => ({
      pc: pc.map((f) => LOC[get(s, f)] ?? '?'),
      fork: fork.map((f) => get(s, f) === 1),
    }),
  };
}

export const philosophersFactory: ModelFactory = {
  id: 'philosophers',
  summary: 'N dining philosophers (deadlocks in N steps; Q(N) states when complete)',
  params: [{ name: 'n', description: 'number of philosophers', kind: 'int', default: 5, min: 2, max: PHILOSOPHERS_MAX }],
  properties: [{ id: 'deadlock', statement: 'some philosopher can always move' }],
  create: (p) => philosophers(p['n'] as number),
};
