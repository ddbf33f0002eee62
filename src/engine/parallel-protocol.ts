/**
 * What the threads of the parallel search share: plain data and
 * SharedArrayBuffers only (a worker builds its own model from the job).
 */
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

/** Everything a search thread needs (the main thread holds the same). */
export interface SharedSearch {
  readonly job: ModelJob;
  readonly options: WorkerSearchOptions;
  /** Number of search threads (the main thread is thread 0). */
  readonly threads: number;
  /** Control words (Int32, see CTRL). */
  readonly ctrl: SharedArrayBuffer;
  /** The visited set (growable). */
  readonly table: SharedArrayBuffer;
  /**
   * The frontier (growable Uint32): chunks of `chunkRecords` records, each the state words then the
   * action. Record g is at word g * (stateWords + 1). A level's chunks are reused two levels on.
   */
  readonly arena: SharedArrayBuffer;
  readonly chunkRecords: number;
  /**
   * Free chunks (growable Int32): the main thread lists those free when a level starts, and a thread
   * that finishes the last item reading a chunk of the level appends it (-1: a slot not written yet).
   */
  readonly freeChunks: SharedArrayBuffer;
  /** Per chunk, the current level's items still to read from it (growable Int32). */
  readonly pending: SharedArrayBuffer;
  /** Work items of the current level (growable Int32): first record, records. */
  readonly items: SharedArrayBuffer;
  /** Global number of each item's first state (growable Float64). */
  readonly itemBase: SharedArrayBuffer;
  /** Per item, where its new states went (growable Int32): two runs (first record, records), the second maybe empty. */
  readonly results: SharedArrayBuffer;
  /** Per state of the current level, its number of new children (growable Uint32). */
  readonly childCounts: SharedArrayBuffer;
  /** Found violations and witnesses (Float64 entries: kind, property, state, action). */
  readonly log: SharedArrayBuffer;
  /** Per thread: transitions, then the metrics' maxima (Float64). */
  readonly stats: SharedArrayBuffer;
  /** A worker's error message (UTF-8). */
  readonly error: SharedArrayBuffer;
}

/** Most search threads. */
export const MAX_THREADS = 64;

/** Indices into the control words. */
export const CTRL = {
  /** Bumped (and notified) whenever anything below changes. */
  EVENT: 0,
  LEVEL: 1,
  ITEMS: 2,
  CLAIM: 3,
  FINISHED: 4,
  /** 1: stop claiming items (the level ends early); the search stops. */
  STOP: 5,
  /** 1: a thread grows the visited set; the others park. */
  GROW: 6,
  /** The visited set's capacity (slots). */
  CAP: 7,
  /** Entries in the visited set (published in batches). */
  SIZE: 8,
  /** 1: this level is at the depth bound (look, do not add). */
  AT_BOUND: 9,
  TRUNCATED: 10,
  /** 1: --max-states was reached. */
  FULL: 11,
  /** New states this level may still add (-1: no bound), and how many it added (only counted with a bound). */
  MAX_NEW: 12,
  NEW_COUNT: 13,
  LOG_COUNT: 14,
  ERROR: 15,
  EXIT: 16,
  /** A growth's phases (bumped at each): what the parked threads help with. */
  PHASE: 17,
  /** 1: a band of the rehash ([BAND_FROM, BAND_TO) in BAND_SUBS parts); 2: insert what was set aside. */
  PHASE_KIND: 18,
  BAND_FROM: 19,
  BAND_TO: 20,
  BAND_SUBS: 21,
  BAND_CLAIM: 22,
  BAND_DONE: 23,
  NEW_CAP: 24,
  /** Threads that took part in this growth's bands, and those done inserting their set-aside entries. */
  HELPERS: 25,
  ASIDE_DONE: 26,
  /** Slots of the free list filled or being filled, slots taken from it, and chunks in the arena. */
  FREE_COUNT: 27,
  FREE_TAKE: 28,
  CHUNKS: 29,
  READY: 32,
  PARTICIPANT: 32 + MAX_THREADS,
  IN_LOOP: 32 + 2 * MAX_THREADS,
  PARKED: 32 + 3 * MAX_THREADS,
  SIZE_WORDS: 32 + 4 * MAX_THREADS,
} as const;

/** Kinds of log entries. */
export const LOG = { STATE: 0, STEP: 1, DEADLOCK: 2, REACH_STATE: 3, REACH_STEP: 4 } as const;
export const LOG_FIELDS = 4;
