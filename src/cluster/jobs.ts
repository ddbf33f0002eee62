/**
 * The jobs that travel through BullMQ: plain JSON data, each naming the
 * model by id and parameters (a worker builds it from its own registry) and
 * carrying the client's bounds. Results are plain JSON too.
 */
import type { ParamValues } from '../engine/model.ts';
import type { SearchOptions, SearchResult, Violation, Witness } from '../engine/result.ts';
import type { RowRunOptions } from '../suite/run.ts';
import type { RowOutcome, SuiteRow } from '../suite/suite.ts';

/** Search options that cross the network: no functions, no shared memory (the worker adds its own interrupt flag). */
export type ShippedOptions = Omit<SearchOptions, 'onProgress' | 'interrupt'>;

export function shippable(o: SearchOptions): ShippedOptions {
  const { onProgress: _p, interrupt: _i, ...rest } = o;
  return rest;
}

interface Base {
  readonly protocol: number;
  /** The client's batch (or search) id: cancelling it stops the job. */
  readonly batch: string;
}

/** One suite row (the matrix). */
export interface RowJob extends Base {
  readonly kind: 'row';
  readonly row: SuiteRow;
  readonly options: ShippedOptions;
  readonly run: RowRunOptions;
}

/** Runs firstRun .. firstRun + runs - 1 of a simulation. */
export interface SimJob extends Base {
  readonly kind: 'sim';
  readonly model: string;
  readonly params: ParamValues;
  readonly seed: string;
  readonly firstRun: number;
  readonly runs: number;
  readonly depth: number;
  readonly swarm: boolean;
  readonly checkDeadlock: boolean;
  readonly skip: readonly string[];
  readonly deadline?: number;
  readonly maxMemoryBytes?: number;
}

/** One candidate configuration of shrinking: the shortest violation of `property` in it, if any. */
export interface ShrinkJob extends Base {
  readonly kind: 'shrink';
  readonly model: string;
  readonly params: ParamValues;
  readonly property: string;
  readonly options: ShippedOptions;
}

/** Partition `partition` of a partitioned search (partitioned.ts and partition.ts). */
export interface PartitionJob extends Base {
  readonly kind: 'partition';
  readonly model: string;
  readonly params: ParamValues;
  readonly partition: number;
  readonly partitions: number;
  readonly options: PartitionOptions;
  /** What the client's model looks like: a worker whose model differs refuses the job. */
  readonly shape: ModelShape;
}

export interface PartitionOptions {
  readonly symmetry: boolean;
  readonly all: boolean;
  readonly checkDeadlock: boolean;
  readonly skip: readonly string[];
  readonly maxMemoryBytes?: number;
  readonly deadline?: number;
  /** States per batch message. */
  readonly batchStates: number;
  /** log2 of the entries of the cache of fingerprints already sent (0: no cache). */
  readonly sentCacheLog2: number;
}

export interface ModelShape {
  readonly stateWords: number;
  readonly actions: number;
  /** A hash of the action names, agents and property ids. */
  readonly digest: string;
}

export type JobData = RowJob | SimJob | ShrinkJob | PartitionJob;

export interface SimOutcome {
  readonly result: import('../engine/simulate.ts').SimulationResult;
  /** The distinct states the runs met, as fingerprint pairs (hi, lo), base64 of a Uint32Array. */
  readonly fingerprints: string;
}

export interface ShrinkOutcome {
  readonly verdict: SearchResult['verdict'];
  readonly bound: SearchResult['bound'] | null;
  readonly violation?: Violation;
  readonly result: SearchResult;
}

export interface PartitionOutcome {
  readonly partition: number;
  readonly status: 'done' | 'stale' | 'lost';
  readonly message?: string;
}

/** What a job returns: the kind's outcome, or `cancelled` when its batch was cancelled before it ran. */
export type JobResult =
  | { readonly kind: 'row'; readonly outcome: RowOutcome }
  | { readonly kind: 'sim'; readonly outcome: SimOutcome }
  | { readonly kind: 'shrink'; readonly outcome: ShrinkOutcome }
  | { readonly kind: 'partition'; readonly outcome: PartitionOutcome }
  | { readonly kind: 'cancelled' };

export type { Witness };

/**
 * A job's stop flag: [0] is the interrupt flag the searches read
 * (engine/interrupt.ts), [1] says who set it.
 */
export const STOP_WORKER = 1;
export const STOP_CANCEL = 2;

export function newJobFlag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8));
}

export function stopJob(flag: Int32Array, reason: typeof STOP_WORKER | typeof STOP_CANCEL): void {
  if (Atomics.load(flag, 0) !== 0) return;
  Atomics.store(flag, 1, reason);
  Atomics.store(flag, 0, 1);
}
