/**
 * Wraps an explicit graph as an engine Model: the state is the node number,
 * action k takes the k-th out-edge. Used to compare the engine with the
 * reference explorer on random transition systems.
 */
import type { ActionInfo, Invariant, Model } from '../src/engine/model.ts';
import type { Graph } from './reference-explorer.ts';

export function graphModel(g: Graph): Model {
  const maxOut = Math.max(1, ...g.edges.map((e) => e.length));
  const actions: ActionInfo[] = Array.from({ length: maxOut }, (_, k) => ({ agent: 0, name: `edge${k}` }));
  const invariants: Invariant[] = [
    ...g.badState.map((set, p) => ({ id: `s${p}`, statement: `state property ${p}`, holds: (s: Uint32Array) => !set.has(s[0]!) })),
    ...g.badStep.map((set, p) => ({
      id: `t${p}`,
      statement: `step property ${p}`,
      holdsOnStep: (s: Uint32Array, a: number) => !set.has(`${s[0]!}->${a}`),
    })),
  ];
  return {
    name: 'graph',
    stateWords: 1,
    agents: ['g'],
    actions,
    invariants,
    initialStates: () => g.initial.map((i) => Uint32Array.of(i)),
    step(s, a, out) {
      const v = g.edges[s[0]!]![a];
      if (v === undefined) return false;
      out[0] = v;
      return true;
    },
    isFinal: (s) => g.final.has(s[0]!),
    decode: (s) => ({ node: s[0]! }),
  };
}
