/**
 * What every search strategy shares: the properties to check, the bounds,
 * the clock, progress reporting, and the final statistics. Kept out of the
 * strategies so that BFS, DFS and the parallel search differ only in order.
 */
import { collisionProbability, fingerprint, fingerprint128, SymmetricHasher } from './fingerprint.ts';
import { deadlockProperty, type Invariant, type Metric, type Model, type State } from './model.ts';
import type { Bound, Progress, SearchOptions, SearchResult, SearchStats, Verdict, Violation, Witness } from './result.ts';
import { interruptRequested } from './interrupt.ts';

type StateCheck = { id: string; statement: string; holds: (s: State) => boolean };
type StepCheck = { id: string; statement: string; holdsOnStep: (s: State, a: number, t: State) => boolean };
type ReachState = { id: string; statement: string; test: (s: State) => boolean };
type ReachStep = { id: string; statement: string; test: (s: State, a: number, t: State) => boolean };
/** A path in the making: only built when something is found. */
export type PathFn = () => { initial: number; actions: number[] };
// The shared "nothing broken" result: no allocation on the hot path.
const NONE: never[] = [];
/** How often the resident size is read while a memory bound applies. */
const RSS_EVERY_MS = 100;

export class SearchContext {
  readonly words: number;
  readonly actionCount: number;
  readonly stateChecks: StateCheck[];
  readonly stepChecks: StepCheck[];
  /** Per action, the step checks that can apply to it (from Invariant.appliesTo). */
  readonly stepChecksFor: StepCheck[][];
  readonly metrics: Metric[];
  readonly metricMax: Float64Array;
  readonly checkDeadlock: boolean;
  readonly deadlockId: string;
  readonly deadlockStatement: string;
  readonly all: boolean;
  readonly maxStates: number;
  readonly maxDepth: number;
  /** Found violations, at most one (the first, hence shortest in BFS) per property. */
  readonly violations: Violation[] = [];
  /** Reachability properties not reached yet (state and step predicates); emptied as witnesses are found. */
  readonly reachStates: ReachState[];
  readonly reachSteps: ReachStep[];
  readonly witnesses: Witness[] = [];
  private readonly reachIds: string[];
  /** With stopWhenReached: every reachability property has its witness, the search may stop. */
  reachDone = false;
  private readonly seen = new Set<string>();
  private readonly brokenStates: StateCheck[] = [];
  private readonly brokenSteps: StepCheck[] = [];
  private readonly canonical: State | undefined;
  private readonly symmetric: SymmetricHasher | undefined;
  /** Fingerprint words: 2 (64 bits) or 4 (128 bits). */
  readonly lanes: 2 | 4;
  private readonly fp: Uint32Array;
  private readonly start = performance.now();
  private readonly deadline: number;
  private readonly maxMemory: number;
  private nextProgress: number;
  private readonly progressEvery: number;
  private readonly interrupt: Int32Array | undefined;
  private readonly rssStart: number;
  /** Resident size at the last sample, and what the search's own structures held then. */
  private rssAt = 0;
  private ownAt = 0;
  private nextRss = 0;
  bound: Bound | undefined;

  constructor(readonly model: Model, readonly options: SearchOptions) {
    this.words = model.stateWords;
    this.actionCount = model.actions.length;
    const skip = new Set(options.skip ?? []);
    const active = model.invariants.filter((inv: Invariant) => !skip.has(inv.id));
    this.stateChecks = active.filter((i) => i.holds).map((i) => ({ id: i.id, statement: i.statement, holds: i.holds! }));
    const stepInvs = active.filter((i) => i.holdsOnStep);
    this.stepChecks = stepInvs.map((i) => ({ id: i.id, statement: i.statement, holdsOnStep: i.holdsOnStep! }));
    this.stepChecksFor = model.actions.map((_, a) => this.stepChecks.filter((_, k) => stepInvs[k]!.appliesTo?.(a) ?? true));
    const sometimes = (model.sometimes ?? []).filter((r) => !skip.has(r.id));
    this.reachIds = sometimes.map((r) => r.id);
    this.reachStates = sometimes.filter((r) => r.reached).map((r) => ({ id: r.id, statement: r.statement, test: r.reached! }));
    this.reachSteps = sometimes.filter((r) => r.reachedOnStep).map((r) => ({ id: r.id, statement: r.statement, test: r.reachedOnStep! }));
    this.metrics = [...(model.metrics ?? [])];
    this.metricMax = new Float64Array(this.metrics.length).fill(-Infinity);
    const dl = deadlockProperty(model);
    this.deadlockId = dl.id;
    this.deadlockStatement = dl.statement;
    this.checkDeadlock = (options.checkDeadlock ?? true) && !skip.has(dl.id);
    this.all = options.all ?? false;
    this.maxStates = options.maxStates ?? Infinity;
    this.maxDepth = options.maxDepth ?? Infinity;
    const own = options.timeLimitSeconds !== undefined ? this.start + options.timeLimitSeconds * 1000 : Infinity;
    const shared = options.deadline !== undefined ? this.start + (options.deadline - Date.now()) : Infinity;
    this.deadline = Math.min(own, shared);
    this.interrupt = options.interrupt;
    this.rssStart = options.onProgress ? process.memoryUsage.rss() : 0;
    this.maxMemory = options.maxMemoryBytes ?? Infinity;
    this.progressEvery = options.progressIntervalMs ?? 2000;
    this.nextProgress = this.start + this.progressEvery;
    this.lanes = options.fingerprintBits === 128 ? 4 : 2;
    this.fp = new Uint32Array(this.lanes);
    this.canonical = options.symmetry && model.canonicalize ? new Uint32Array(this.words) : undefined;
    this.symmetric = options.symmetry && model.symmetry ? new SymmetricHasher(this.words, model.symmetry.classes, this.lanes) : undefined;
  }

  /** Fingerprint of `s` (of its canonical representative under symmetry), in fp[0], fp[1]. */
  hash(s: State): Uint32Array {
    const c = this.canonical;
    let t = s;
    if (c) {
      this.model.canonicalize!(s, c);
      t = c;
    }
    if (this.symmetric) this.symmetric.hash(t, this.fp);
    else if (this.lanes === 2) fingerprint(t, this.words, this.fp);
    else fingerprint128(t, this.words, this.fp);
    return this.fp;
  }

  /** Whether the search should stop now that this violation is recorded. */
  record(v: Violation): boolean {
    if (!this.seen.has(v.property)) {
      this.seen.add(v.property);
      this.violations.push(v);
    }
    return !this.all;
  }

  hasViolation(id: string): boolean {
    return this.seen.has(id);
  }

  /**
   * The state invariants `s` breaks that have not been reported yet (all of
   * them, so that a state breaking two properties reports both under --all).
   * Returns a shared array: copy it before the next call.
   */
  brokenState(s: State): readonly StateCheck[] {
    let out: StateCheck[] = NONE;
    const checks = this.stateChecks;
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i]!;
      if (!c.holds(s) && !this.seen.has(c.id)) {
        if (out === NONE) (out = this.brokenStates).length = 0;
        out.push(c);
      }
    }
    return out;
  }

  brokenStep(s: State, a: number, t: State): readonly StepCheck[] {
    let out: StepCheck[] = NONE;
    // Only the step properties that can apply to this action.
    const checks = this.stepChecksFor[a] ?? this.stepChecks;
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i]!;
      if (!c.holdsOnStep(s, a, t) && !this.seen.has(c.id)) {
        if (out === NONE) (out = this.brokenSteps).length = 0;
        out.push(c);
      }
    }
    return out;
  }

  /** Records one violation per broken property; returns true when the search must stop. */
  recordAll(broken: readonly (StateCheck | StepCheck)[], initial: number, path: number[], kind: 'state' | 'step'): boolean {
    let stop = false;
    for (const c of broken) stop = this.record({ property: c.id, statement: c.statement, initial, path, kind }) || stop;
    return stop;
  }

  /** Records a witness for every pending reachability property `s` satisfies (the path is built only then). */
  reachState(s: State, path: PathFn): void {
    const rs = this.reachStates;
    let p: ReturnType<PathFn> | undefined;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i]!;
      if (!r.test(s)) continue;
      p ??= path();
      this.witness({ property: r.id, statement: r.statement, initial: p.initial, path: p.actions, kind: 'state' });
      i--; // witness() removed it from rs
    }
  }

  /** As reachState, for step predicates on the transition s --a--> t (the path ends with a). */
  reachStep(s: State, a: number, t: State, path: PathFn): void {
    const rs = this.reachSteps;
    let p: ReturnType<PathFn> | undefined;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i]!;
      if (!r.test(s, a, t)) continue;
      p ??= path();
      this.witness({ property: r.id, statement: r.statement, initial: p.initial, path: p.actions, kind: 'step' });
      i--;
    }
  }

  /**
   * Keeps one witness per property, the shortest, and stops looking for it
   * (a property given both as a state and a step predicate is done either way).
   */
  witness(w: Witness): void {
    const prev = this.witnesses.findIndex((x) => x.property === w.property);
    if (prev < 0) this.witnesses.push(w);
    else if (this.witnesses[prev]!.path.length > w.path.length) this.witnesses[prev] = w;
    const si = this.reachStates.findIndex((r) => r.id === w.property);
    if (si >= 0) this.reachStates.splice(si, 1);
    const ti = this.reachSteps.findIndex((r) => r.id === w.property);
    if (ti >= 0) this.reachSteps.splice(ti, 1);
    if (this.options.stopWhenReached && this.reachStates.length === 0 && this.reachSteps.length === 0) this.reachDone = true;
  }

  observe(s: State): void {
    const m = this.metrics;
    for (let i = 0; i < m.length; i++) {
      const v = m[i]!.read(s);
      if (v > this.metricMax[i]!) this.metricMax[i] = v;
    }
  }

  /**
   * Called every few thousand expansions: checks the clock and memory bounds
   * and emits progress. Returns true when the search must stop.
   */
  tick(states: number, transitions: number, frontier: number, depth: number, storeBytes: number, nextGrowth: number, frontierBytes = 0): boolean {
    if (interruptRequested(this.interrupt)) {
      this.bound = 'interrupted';
      return true;
    }
    const now = performance.now();
    if (now >= this.deadline) {
      this.bound = 'time-limit';
      return true;
    }
    let rss = -1;
    if (this.maxMemory !== Infinity) {
      // The resident size is sampled on a timer (reading it is a system call);
      // in between it is the last sample plus what the search's own
      // structures grew by since. The next table growth allocates at once:
      // stop before it would cross the bound.
      const own = storeBytes + frontierBytes;
      if (now >= this.nextRss) {
        this.rssAt = process.memoryUsage.rss();
        this.ownAt = own;
        this.nextRss = now + RSS_EVERY_MS;
      }
      rss = this.rssAt + Math.max(0, own - this.ownAt);
      if (rss + nextGrowth > this.maxMemory || storeBytes > this.maxMemory) {
        this.bound = 'max-memory';
        return true;
      }
    }
    if (this.options.onProgress && now >= this.nextProgress) {
      this.nextProgress = now + this.progressEvery;
      if (rss < 0) rss = process.memoryUsage.rss();
      const seconds = (now - this.start) / 1000;
      const rate = states / Math.max(seconds, 1e-9);
      const p: Progress = { states, transitions, frontier, depth, seconds, statesPerSecond: rate, rssBytes: rss };
      if (this.maxMemory !== Infinity) p.maxMemoryBytes = this.maxMemory;
      const left: [number, NonNullable<Progress['leftBy']>][] = [];
      if (this.deadline !== Infinity) left.push([(this.deadline - now) / 1000, 'time-limit']);
      if (this.maxStates !== Infinity && rate > 0) left.push([(this.maxStates - states) / rate, 'max-states']);
      const growth = (rss - this.rssStart) / Math.max(seconds, 1e-9);
      if (this.maxMemory !== Infinity && growth > 0) left.push([Math.max(0, this.maxMemory - rss) / growth, 'max-memory']);
      left.sort((a, b) => a[0] - b[0]);
      if (left[0]) {
        p.secondsLeft = Math.max(0, left[0][0]);
        p.leftBy = left[0][1];
      }
      this.options.onProgress(p);
    }
    return false;
  }

  finish(args: {
    states: number;
    transitions: number;
    depth: number;
    peakFrontier: number;
    storeBytes: number;
    exhausted: boolean;
    reducedStates?: number;
    startupSeconds?: number;
    frontierBytes?: number;
    spilledStates?: number;
  }): SearchResult {
    const seconds = (performance.now() - this.start) / 1000;
    const stats: SearchStats = {
      states: args.states,
      transitions: args.transitions,
      depth: args.depth,
      seconds,
      statesPerSecond: args.states / Math.max(seconds, 1e-9),
      bytesPerState: args.states > 0 ? args.storeBytes / args.states : 0,
      peakFrontier: args.peakFrontier,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      collisionProbability: collisionProbability(args.states, args.transitions, this.lanes * 32),
      fingerprintBits: this.lanes * 32,
      ...(args.frontierBytes !== undefined ? { frontierBytes: args.frontierBytes } : {}),
      ...(args.spilledStates !== undefined ? { spilledStates: args.spilledStates } : {}),
      ...(args.reducedStates !== undefined ? { reducedStates: args.reducedStates } : {}),
      ...(args.startupSeconds !== undefined ? { startupSeconds: args.startupSeconds } : {}),
    };
    const complete = args.exhausted && this.bound === undefined;
    let verdict: Verdict;
    if (this.violations.length > 0) verdict = 'violated';
    else if (complete) verdict = 'holds';
    else verdict = 'incomplete';
    const metrics: Record<string, number> = {};
    this.metrics.forEach((m, i) => {
      const v = this.metricMax[i]!;
      metrics[m.id] = v === -Infinity ? 0 : v;
    });
    const found = new Set(this.witnesses.map((w) => w.property));
    const result: SearchResult = {
      verdict,
      violations: sortViolations(this.violations),
      witnesses: [...this.witnesses].sort((a, b) => a.path.length - b.path.length || (a.property < b.property ? -1 : a.property > b.property ? 1 : 0)),
      unreached: this.reachIds.filter((id) => !found.has(id)),
      stats,
      metrics,
      complete,
      ...(this.bound !== undefined ? { bound: this.bound } : {}),
    };
    return result;
  }
}

/** Shortest first, then by property id, so output does not depend on discovery order within a level. */
function sortViolations(vs: Violation[]): Violation[] {
  return [...vs].sort((a, b) => a.path.length - b.path.length || (a.property < b.property ? -1 : a.property > b.property ? 1 : 0));
}
