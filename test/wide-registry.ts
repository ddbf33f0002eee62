/**
 * A registry of one model with many actions (300, beyond the 128 at which
 * the parallel search makes its work items smaller), for the parallel
 * search's workers to build: state s has one successor per action.
 */
import type { Model, ModelFactory } from '../src/engine/model.ts';

const ACTIONS = 300;

export function wideModel(n: number): Model {
  return {
    name: 'wide',
    stateWords: 1,
    agents: ['w'],
    actions: Array.from({ length: ACTIONS }, (_, k) => ({ agent: 0, name: `a${k}` })),
    invariants: [],
    initialStates: () => [Uint32Array.of(0)],
    step(s, a, out) {
      // Action a moves s up by 1 to 977: about a hundred levels of up to ~1,000 states, each cut into
      // several items, and most successors already known.
      out[0] = (s[0]! + 1 + ((a * 7919) % 977)) % n;
      return true;
    },
    isFinal: () => false,
    decode: (s) => ({ s: s[0]! }),
  };
}

const WIDE: ModelFactory = {
  id: 'wide',
  summary: 'a model of 300 actions',
  params: [{ name: 'n', kind: 'int', default: 100000, min: 1, description: 'states' }],
  create: (p: Record<string, unknown>) => wideModel(Number(p.n)),
} as unknown as ModelFactory;

export function findModel(id: string): ModelFactory | undefined {
  return id === 'wide' ? WIDE : undefined;
}

export const WIDE_REGISTRY = import.meta.url;
