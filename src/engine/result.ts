/**
 * What a search returns: data only. Rendering (text, JSON, HTML) lives
 * elsewhere, and only the CLI turns a result into an exit code.
 */

export type Verdict = 'holds' | 'violated' | 'incomplete';

/**
 * Why a search stopped before covering the whole reachable space.
 * `worker-lost`: a distributed search lost one of its workers (and with it
 * part of the visited set), or the Redis between them.
 */
export type Bound = 'max-states' | 'max-depth' | 'time-limit' | 'max-memory' | 'interrupted' | 'worker-lost';

export interface Violation {
  /** Property id (an invariant's id, or the deadlock property's). */
  readonly property: string;
  readonly statement: string;
  /** Index into the model's initial states. */
  readonly initial: number;
  /** Action indices from that initial state; the last step reaches (or is) the violation. */
  readonly path: readonly number[];
  /** 'state': the state after `path` violates; 'step': the last step of `path` does; 'deadlock': the state after `path` is stuck. */
  readonly kind: 'state' | 'step' | 'deadlock';
}

/** A path to a state (or a step) satisfying a reachability property. */
export interface Witness {
  readonly property: string;
  readonly statement: string;
  readonly initial: number;
  readonly path: readonly number[];
  /** 'state': the state after `path` satisfies it; 'step': the last step of `path` does. */
  readonly kind: 'state' | 'step';
}

/** What a saved or displayed path shows: a violation (state, step, deadlock) or a reachability witness (reach-state, reach-step). */
export type TraceKind = Violation['kind'] | 'reach-state' | 'reach-step';

export function witnessKind(w: Witness): TraceKind {
  return w.kind === 'state' ? 'reach-state' : 'reach-step';
}

export interface SearchStats {
  /** Distinct states stored. */
  states: number;
  /** Enabled transitions fired (self-loops included). */
  transitions: number;
  /** Largest depth (steps from an initial state) reached. */
  depth: number;
  seconds: number;
  statesPerSecond: number;
  /** Bytes held by the visited set and parent links, per stored state. */
  bytesPerState: number;
  /** Largest frontier (queue or stack) size, in states. */
  peakFrontier: number;
  peakRssBytes: number;
  /** TLC-style optimistic estimate that a fingerprint collision hid a state. */
  collisionProbability: number;
  /** Width of the fingerprints the visited set stores (64 or 128). */
  fingerprintBits?: number;
  /** Breadth-first search: the largest number of bytes the frontier held in memory (not in bytesPerState). */
  frontierBytes?: number;
  /** Breadth-first search: states of the frontier written to disk because it outgrew its memory share. */
  spilledStates?: number;
  /** With partial-order reduction: states expanded with an ample set smaller than all enabled actions. */
  reducedStates?: number;
  /** Parallel search: seconds spent starting the worker threads, not included in `seconds`. */
  startupSeconds?: number;
}

export interface SearchResult {
  readonly verdict: Verdict;
  /** Set when verdict is incomplete (or when a violation was found in a search cut short). */
  readonly bound?: Bound;
  readonly violations: readonly Violation[];
  readonly stats: SearchStats;
  /** Reachability properties reached, each with its first (in BFS: shortest) witness, shortest first. */
  readonly witnesses: readonly Witness[];
  /** Reachability properties not reached: unreachable when `complete`, unknown otherwise. */
  readonly unreached: readonly string[];
  /** Maximum of every model metric over the states reached. */
  readonly metrics: Readonly<Record<string, number>>;
  /** True when every reachable state was visited (no bound hit, no early stop). */
  readonly complete: boolean;
}

export interface Progress {
  states: number;
  transitions: number;
  frontier: number;
  depth: number;
  seconds: number;
  statesPerSecond: number;
  /** Resident set size of the process now, and the bound (when there is one). */
  rssBytes: number;
  maxMemoryBytes?: number;
  /**
   * Seconds until a bound stops the search at the current rates, when one can
   * be estimated: the time limit's remainder, the states left to --max-states
   * at the current rate, or the memory left to --max-memory at the average
   * growth so far, whichever comes first. The search may finish sooner (the
   * size of the reachable space is not known in advance).
   */
  secondsLeft?: number;
  /** The bound `secondsLeft` is about. */
  leftBy?: 'time-limit' | 'max-states' | 'max-memory';
}

export interface SearchOptions {
  strategy?: 'bfs' | 'dfs';
  /** Explore everything and report the shortest violation of each property. */
  all?: boolean;
  maxStates?: number;
  maxDepth?: number;
  timeLimitSeconds?: number;
  /**
   * An absolute deadline (Date.now() milliseconds) shared by every search of
   * one command, so that a time limit bounds the whole command (minimization
   * and re-searches too); the earlier of it and timeLimitSeconds applies.
   */
  deadline?: number;
  /** Resident-set bound in bytes; the search stops as incomplete before crossing it. */
  maxMemoryBytes?: number;
  /** Stop as soon as every reachability property has a witness (the search is then not complete). */
  stopWhenReached?: boolean;
  /** The command's shared interrupt flag (interrupt.ts): when set, the search stops with the bound `interrupted`. */
  interrupt?: Int32Array;
  /** Hash canonical representatives when the model offers canonicalize() or symmetry classes. */
  symmetry?: boolean;
  /** Fingerprint width: 64 (default) or 128 bits (twice the visited set's memory, for a far smaller collision estimate). */
  fingerprintBits?: 64 | 128;
  /**
   * Breadth-first search: bytes of frontier states kept in memory before the
   * queue spills to disk. Default: a quarter of maxMemoryBytes when that is
   * set, otherwise no limit.
   */
  frontierMemoryBytes?: number;
  /** Directory for the frontier's spill files (default: the OS temporary directory). */
  spillDir?: string;
  /** Report states with no enabled action that are not final. Default true. */
  checkDeadlock?: boolean;
  /** Property ids not to check. */
  skip?: readonly string[];
  /** Partial-order reduction (ample sets), when the model declares its independence; breadth-first only. */
  partialOrder?: boolean;
  onProgress?: (p: Progress) => void;
  progressIntervalMs?: number;
}
