/** Shared shapes of the benchmark: what to run and what one run measured. */

/** Models the peers (SPIN, rumur) also check. */
export type PeerBenchModel = 'peterson' | 'philosophers' | 'tlb-mini';
/** `tlb`: the full TLB-shootdown machine, tlbcheck only. */
export type BenchModel = PeerBenchModel | 'tlb';

export type ParamMap = Record<string, number | boolean | string>;

/** One model instance, checked by tlbcheck and (with the same semantics) by the peers. */
export interface BenchConfig {
  readonly model: BenchModel;
  /** Short human label, e.g. `N=16` or `NCPU=4 NPAGE=3 sym`. */
  readonly label: string;
  /** tlbcheck model parameters (missing ones take the factory's defaults). */
  readonly params: ParamMap;
  /** Symmetry reduction (tlbcheck canonicalize(); rumur scalarset reduction). */
  readonly symmetry: boolean;
  /** tlbcheck search workers: omitted or 1 = sequential check(), n > 1 = parallelBfs (no peer runs). */
  readonly workers?: number;
  /** Reachable states, roughly: for the bench's estimate of how long it takes. */
  readonly approxStates: number;
}

/** What one tlbcheck run measured (the CLI's JSON document, plus the process's wall time). */
export interface TlbcheckRun {
  readonly verdict: string;
  readonly complete: boolean;
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  /** Search time, as the engine reports it (worker start-up excluded). */
  readonly seconds: number;
  readonly statesPerSecond: number;
  readonly bytesPerState: number;
  readonly peakRssBytes: number;
  readonly frontierBytes?: number;
  readonly startupSeconds?: number;
}

/** One line of the table: one tool on one configuration. */
export interface Row {
  readonly model: string;
  readonly config: string;
  /** `tlbcheck`, `spin dfs-nored`, `rumur t1`, ... */
  readonly tool: string;
  readonly source: 'measured' | 'published';
  readonly verdict: string;
  /** True when the search covered every reachable state (counts are comparable). */
  readonly complete: boolean;
  readonly states?: number;
  /** In rumur's convention (rules fired); SPIN's figure minus 1. */
  readonly transitions?: number;
  /** SPIN prints large counts as `%g`: then only these significant digits are exact. */
  readonly transitionDigits?: number;
  /**
   * Search-only seconds: tlbcheck's engine time (worker start-up excluded);
   * SPIN's "elapsed time"; rumur's own time (whole seconds: below 10 s its
   * wall time is used, its start-up being milliseconds).
   */
  readonly seconds?: number;
  /** Whole-process seconds: the wall time of the process that searches (tlbcheck's CLI, pan, rumur's verifier; no C compilation). */
  readonly wallSeconds?: number;
  /** Peers: seconds to generate and compile the verifier (not in wallSeconds). */
  readonly buildSeconds?: number;
  /** Runs behind the figures (medians when more than one). */
  readonly runs?: number;
  readonly statesPerSecond?: number;
  readonly bytesPerState?: number;
  readonly peakRssBytes?: number;
  /** tlbcheck rows: search workers (1 = sequential). */
  readonly workers?: number;
  /** tlbcheck rows with workers > 1: search seconds of the 1-worker row / this row's (both complete). */
  speedup?: number;
  /** Peer rows: this row's search seconds / tlbcheck's (above 1: tlbcheck is faster). */
  ratio?: number;
  /** Peer rows: this row's whole-process seconds / tlbcheck's. */
  wholeRatio?: number;
  /** tlbcheck rows with workers > 1: whole-process seconds of the 1-worker row / this row's. */
  wholeSpeedup?: number;
  /**
   * tlbcheck rows with workers > 1: wall seconds of `workers` copies of the
   * 1-worker search run side by side as separate processes (the slowest copy),
   * when each copy found the 1-worker row's counts.
   */
  copiesSeconds?: number;
  /**
   * The machine's ceiling for this speedup: workers x the 1-worker row's whole
   * seconds / copiesSeconds (the throughput independent copies get; 2 on an
   * ideal 2-core machine, less when the cores share caches or memory bandwidth).
   */
  ceiling?: number;
  /** Bytes of the frontier in memory at its largest (tlbcheck). */
  readonly frontierBytes?: number;
  /**
   * Peer rows: same counts as tlbcheck; 1-worker tlbcheck row: agrees with every peer;
   * tlbcheck rows with workers > 1: same counts as the 1-worker tlbcheck row.
   */
  countsAgree?: boolean;
  /** Symmetry rows: states without symmetry / states with it. */
  reduction?: number;
}
