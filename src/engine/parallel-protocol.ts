/** The plain-data messages between the parallel search and its worker threads. */
import type { ParamValues } from './model.ts';

/** How a worker finds the model: a module exporting findModel(id), the model id, its parameters. */
export interface ModelJob {
  /** URL (file:) of a module exporting `findModel(id: string): ModelFactory | undefined`. */
  readonly registry: string;
  readonly model: string;
  readonly params: ParamValues;
}

export interface WorkerSearchOptions {
  readonly symmetry: boolean;
  readonly all: boolean;
  readonly checkDeadlock: boolean;
  readonly skip: readonly string[];
}

/** Expand states [from, to) of the current level (all buffers are views of SharedArrayBuffers). */
export interface ExpandTask {
  /** Distinguishes searches, so a worker never carries state from one into the next. */
  readonly searchId: number;
  readonly job: ModelJob;
  readonly options: WorkerSearchOptions;
  readonly table: Uint32Array;
  readonly mask: number;
  readonly cur: Uint32Array;
  readonly curBase: number;
  readonly from: number;
  readonly to: number;
  readonly next: Uint32Array;
  /** [0]: states appended to `next` so far (atomic). */
  readonly nextCount: Int32Array;
  readonly nextBase: number;
  readonly parents: Uint32Array;
  readonly actions: Uint32Array;
  /** The current level has reached --max-depth: look for new states but do not add them. */
  readonly atDepthBound: boolean;
  /** Stop adding states beyond this global count (-1: no bound). */
  readonly maxStates: number;
  /**
   * Room left in the shared arrays for this level: a worker stops before a
   * state whose successors might not fit once nextCount reaches it, and
   * reports where it stopped so the main thread can grow them and resume.
   */
  readonly room: number;
  /** Successors that may be added after a room check passes: actions x workers. */
  readonly margin: number;
}

/** Copy a slice of the old visited set into the new one (parallel rehash). */
export interface RehashTask {
  readonly old: Uint32Array;
  readonly from: number;
  readonly to: number;
  readonly into: Uint32Array;
  readonly mask: number;
}

export interface FoundViolation {
  readonly property: string;
  readonly statement: string;
  readonly kind: 'state' | 'step' | 'deadlock';
  /** The violating state (state, deadlock) or the state the violating step starts from (step). */
  readonly at: number;
  /** The violating step's action, or -1. */
  readonly action: number;
}

/** A reachability witness found by a worker: the state `at` (kind state) or the step from `at` by `action` (kind step). */
export interface FoundWitness {
  readonly property: string;
  readonly statement: string;
  readonly kind: 'state' | 'step';
  readonly at: number;
  readonly action: number;
}

export interface ExpandResult {
  readonly transitions: number;
  readonly violations: readonly FoundViolation[];
  readonly witnesses: readonly FoundWitness[];
  readonly metrics: readonly number[];
  /** A state beyond --max-depth was left out. */
  readonly truncated: boolean;
  /** --max-states was reached. */
  readonly full: boolean;
  /** Index of the first state not expanded (to when the chunk is done). */
  readonly stoppedAt: number;
}
