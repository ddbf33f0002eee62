/**
 * A deliberately naive explorer, written independently of src/engine, to
 * compare the engine against: explicit graphs, string keys, a Map, plain BFS
 * for distances. Slow and obviously correct.
 */

export interface Graph {
  /** Number of nodes; nodes are 0..n-1. */
  n: number;
  initial: number[];
  /** edges[u] = successors of u, in action order (duplicates and self-loops allowed). */
  edges: number[][];
  /** badState[p] = nodes violating state property p. */
  badState: Set<number>[];
  /** badStep[p] = "u->k" edge keys (u, edge index k) violating step property p. */
  badStep: Set<string>[];
  final: Set<number>;
}

export interface Reference {
  reachable: Set<number>;
  transitions: number;
  /** Shortest violation length per property id ('s0', 't0', 'deadlock'...), or undefined when none. */
  shortest: Map<string, number>;
  /** Violating nodes / edges, to check emitted traces against. */
  maxDepth: number;
}

export function explore(g: Graph): Reference {
  const dist = new Map<number, number>();
  const queue: number[] = [];
  for (const i of g.initial) {
    if (!dist.has(i)) {
      dist.set(i, 0);
      queue.push(i);
    }
  }
  let transitions = 0;
  for (let h = 0; h < queue.length; h++) {
    const u = queue[h]!;
    for (const v of g.edges[u]!) {
      transitions++;
      if (!dist.has(v)) {
        dist.set(v, dist.get(u)! + 1);
        queue.push(v);
      }
    }
  }
  const shortest = new Map<string, number>();
  const note = (id: string, len: number): void => {
    const cur = shortest.get(id);
    if (cur === undefined || len < cur) shortest.set(id, len);
  };
  for (const [u, d] of dist) {
    g.badState.forEach((set, p) => {
      if (set.has(u)) note(`s${p}`, d);
    });
    g.badStep.forEach((set, p) => {
      g.edges[u]!.forEach((_, k) => {
        if (set.has(`${u}->${k}`)) note(`t${p}`, d + 1);
      });
    });
    if (g.edges[u]!.length === 0 && !g.final.has(u)) note('deadlock', d);
  }
  return { reachable: new Set(dist.keys()), transitions, shortest, maxDepth: Math.max(0, ...dist.values()) };
}

/** Every reachable state of an engine Model, by a naive BFS over string keys (no fingerprints, no reductions). */
export function reachableStates(model: import('../src/engine/model.ts').Model, limit = 60_000): Uint32Array[] {
  const seen = new Map<string, Uint32Array>();
  const queue: Uint32Array[] = [];
  for (const s of model.initialStates()) {
    const k = s.join(',');
    if (!seen.has(k)) {
      seen.set(k, s);
      queue.push(s);
    }
  }
  for (let h = 0; h < queue.length; h++) {
    const s = queue[h]!;
    for (let a = 0; a < model.actions.length; a++) {
      const t = new Uint32Array(model.stateWords);
      if (!model.step(s, a, t)) continue;
      const k = t.join(',');
      if (seen.has(k)) continue;
      if (seen.size >= limit) throw new Error('reference explorer: state limit');
      seen.set(k, t);
      queue.push(t);
    }
  }
  return queue;
}
