/**
 * Partial-order reduction by ample sets. In a state s, the enabled actions
 * of one agent p form an ample set when
 *   C0  they are not empty;
 *   C1  every action p may still take is independent of every action any
 *       other agent may still take (so nothing the others do can enable,
 *       disable or be disturbed by p, in any order);
 *   C2  none of them is visible (writes what a state invariant reads);
 *   C3  every successor they lead to is new (checked by the search: a state
 *       expanded last on any cycle then sees an old successor and is
 *       expanded fully, so no action is ignored around a cycle).
 * Step properties stay correct because an action's reads include what its
 * step checks read, so a commuted action is checked in an equivalent state.
 */
import type { Model, State } from './model.ts';

export class AmpleSets {
  private readonly rowWords: number;
  /** dep[a * rowWords + k]: bit set of actions dependent on a (same agent, or conflicting access). */
  private readonly dep: Uint32Array;
  private readonly visible: Uint8Array;
  private readonly agentActions: number[][];
  private readonly agentOf: Int32Array;
  private readonly otherMask: Uint32Array;

  /** Dynamic footprints: scratch bitsets. */
  private readonly dyn: { readonly W: number; readonly mr: Uint32Array; readonly mw: Uint32Array; readonly or: Uint32Array; readonly ow: Uint32Array } | undefined;

  constructor(private readonly model: Model) {
    const ind = model.independence!;
    if (ind.footprint && ind.futureFootprint && ind.localActions && ind.componentWords) {
      const W = ind.componentWords;
      this.dyn = { W, mr: new Uint32Array(W), mw: new Uint32Array(W), or: new Uint32Array(W), ow: new Uint32Array(W) };
    }
    const A = model.actions.length;
    const R = (this.rowWords = Math.ceil(A / 32));
    this.dep = new Uint32Array(A * R);
    this.agentOf = Int32Array.from(model.actions.map((a) => a.agent));
    const comps = (xs: readonly number[] | undefined): Set<number> => new Set(xs ?? []);
    // With dynamic footprints the static sets are not used (and may be empty).
    const reads = model.actions.map((_, a) => comps(this.dyn ? [] : ind.reads[a]));
    const writes = model.actions.map((_, a) => comps(this.dyn ? [] : ind.writes[a]));
    const meets = (x: Set<number>, y: Set<number>): boolean => [...x].some((c) => y.has(c));
    for (let a = 0; a < A && !this.dyn; a++) {
      for (let b = 0; b < A; b++) {
        const d =
          this.agentOf[a] === this.agentOf[b] ||
          meets(writes[a]!, reads[b]!) ||
          meets(writes[a]!, writes[b]!) ||
          meets(writes[b]!, reads[a]!);
        if (d) this.dep[a * R + (b >>> 5)]! |= 1 << (b & 31);
      }
    }
    const invReads = new Set(Object.values(ind.invariantReads ?? {}).flat());
    // Reachability state predicates are observed like state invariants; one without declared reads makes every write visible.
    const reach = (model.sometimes ?? []).filter((r) => r.reached);
    const hasStateInvariant = model.invariants.some((i) => i.holds) || reach.length > 0;
    const undeclared = !ind.invariantReads || reach.some((r) => !(r.id in ind.invariantReads!));
    this.visible = Uint8Array.from(writes.map((w) => (hasStateInvariant && (undeclared || meets(w, invReads)) ? 1 : 0)));
    this.agentActions = model.agents.map((_, p) => model.actions.map((_, a) => a).filter((a) => this.agentOf[a] === p));
    this.otherMask = new Uint32Array(R);
  }

  /** The agent whose enabled actions (`acts[0..n)`) form an ample set in `s`, or -1 for full expansion. C3 is left to the caller. */
  choose(s: State, acts: Int32Array, n: number): number {
    if (n <= 1) return -1;
    const ind = this.model.independence!;
    const R = this.rowWords;
    let best = -1;
    let bestCount = n;
    for (let i = 0; i < n; i++) {
      const p = this.agentOf[acts[i]!]!;
      if (p === best) continue;
      // Count p's enabled actions (an agent seen again is simply re-checked).
      let count = 0;
      let vis = false;
      for (let j = 0; j < n; j++) {
        if (this.agentOf[acts[j]!] !== p) continue;
        count++;
        if (this.visible[acts[j]!]) vis = true;
      }
      if (vis || count >= bestCount) continue;
      if (this.independentOfOthers(s, p, ind.futureActions, R)) {
        best = p;
        bestCount = count;
      }
    }
    return best;
  }

  private independentOfOthers(s: State, p: number, future: ((s: State, agent: number) => readonly number[]) | undefined, R: number): boolean {
    if (this.dyn) return this.independentDynamic(s, p);
    const mine = future ? future(s, p) : this.agentActions[p]!;
    // Union of everything the other agents may still do.
    const other = this.otherMask;
    other.fill(0);
    for (let q = 0; q < this.agentActions.length; q++) {
      if (q === p) continue;
      const acts = future ? future(s, q) : this.agentActions[q]!;
      for (const b of acts) other[b >>> 5]! |= 1 << (b & 31);
    }
    for (const a of mine) {
      for (let k = 0; k < R; k++) if ((this.dep[a * R + k]! & other[k]!) !== 0) return false;
    }
    return true;
  }

  /**
   * C1 with dynamic footprints: what p can do from its current local state
   * conflicts with nothing any other agent may still do (neither writes
   * what the other reads or writes). This is the process-based ample
   * condition: until p moves, only the others move, and none of their
   * actions can disable, enable or be reordered against p's.
   */
  private independentDynamic(s: State, p: number): boolean {
    const ind = this.model.independence!;
    const { W, mr, mw, or, ow } = this.dyn!;
    mr.fill(0);
    mw.fill(0);
    for (const a of ind.localActions!(s, p)) ind.footprint!(s, a, mr, mw);
    or.fill(0);
    ow.fill(0);
    for (let q = 0; q < this.agentActions.length; q++) if (q !== p) ind.futureFootprint!(s, q, p, or, ow);
    for (let k = 0; k < W; k++) {
      if ((mw[k]! & (or[k]! | ow[k]!)) !== 0) return false;
      if ((mr[k]! & ow[k]!) !== 0) return false;
    }
    return true;
  }
}
