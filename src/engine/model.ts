/**
 * The model API: what the engine needs to know about a transition system.
 *
 * A model is data plus pure functions over packed states. A state is a
 * fixed-width `Uint32Array` (`stateWords` words) that the model encodes and
 * decodes itself; the engine only hashes it, copies it and hands it back.
 * Nothing here knows about TLBs: Peterson's mutex and the mmu_gather machine
 * are checked through the same interface.
 */

/** A packed state. Its length is always the model's `stateWords`. */
export type State = Uint32Array;

/** A JSON-compatible value, used for decoded (display) states. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * One action slot. Every nondeterministic choice of the system is an index
 * into `Model.actions`; an action is enabled or not in a given state and, when
 * enabled, yields exactly one successor.
 */
export interface ActionInfo {
  /** Index into `Model.agents`: who takes this step. */
  readonly agent: number;
  /** Static, human-readable label (state-specific detail comes from `describeStep`). */
  readonly name: string;
}

/**
 * A safety property with a stable id. `holds` is checked on every reached
 * state (the initial ones included); `holdsOnStep` on every transition, for
 * properties that speak about an event ("when a frame is freed, ...").
 * At least one of the two must be given.
 */
export interface Invariant {
  readonly id: string;
  /** One line, in the domain's words. */
  readonly statement: string;
  readonly holds?: (s: State) => boolean;
  readonly holdsOnStep?: (s: State, action: number, next: State) => boolean;
  /**
   * Optional filter, evaluated once per action when a search starts: false
   * means holdsOnStep can never fail on that action, so it is not called.
   */
  readonly appliesTo?: (action: number) => boolean;
}

/**
 * A reachability ("sometimes") property: is a state satisfying `reached`
 * reachable (or a transition satisfying `reachedOnStep`)? The search reports
 * the shortest witness path when it is (breadth-first), and "unreachable"
 * when a complete search never met one. Not reaching it is not a violation:
 * it answers a question ("does this race window exist at all?") and guards
 * against invariants that hold vacuously. At least one of the two must be given.
 */
export interface Reachability {
  readonly id: string;
  /** One line: the situation sought, e.g. "a walk is in flight after pmd_clear". */
  readonly statement: string;
  readonly reached?: (s: State) => boolean;
  readonly reachedOnStep?: (s: State, action: number, next: State) => boolean;
}

/**
 * An observable maximised over all reachable states (for example a cost
 * counter the model keeps as a ghost variable). The engine reports the
 * maximum; with monotone counters that is the worst case over all executions.
 */
export interface Metric {
  readonly id: string;
  readonly description: string;
  readonly read: (s: State) => number;
}

/** Identity of the built-in deadlock property; models may rename it. */
export interface DeadlockProperty {
  readonly id: string;
  readonly statement: string;
}

export const DEFAULT_DEADLOCK: DeadlockProperty = {
  id: 'deadlock',
  statement: 'a state that is not final always has an enabled action',
};

export interface Model {
  /** Short id, for example `philosophers`. */
  readonly name: string;
  /** Width of every packed state, in 32-bit words. */
  readonly stateWords: number;
  /** Agent names, indexed by `ActionInfo.agent` (for example `cpu0`, `allocator`). */
  readonly agents: readonly string[];
  /** Every action slot, in the fixed order the engine tries them. */
  readonly actions: readonly ActionInfo[];
  readonly invariants: readonly Invariant[];
  /** Reachability properties (optional): reported as reached (with a witness) or not, never as violations. */
  readonly sometimes?: readonly Reachability[];
  readonly metrics?: readonly Metric[];
  /** Overrides the id and statement of the built-in deadlock property. */
  readonly deadlock?: DeadlockProperty;

  /** The initial states, each `stateWords` long. Deterministic order. */
  initialStates(): readonly State[];
  /**
   * Successor of `s` under `action`, written into `out`; returns false when the
   * action is not enabled in `s` (then `out` may hold anything). Must be
   * deterministic and must not modify `s`.
   */
  step(s: State, action: number, out: State): boolean;
  /**
   * Optional enabling mask: writes into `out`, in increasing order, every
   * action that may be enabled in `s` (a superset of the enabled ones; for
   * example the actions each agent's program counter allows) and returns
   * how many. Breadth-first search (sequential and parallel) then calls
   * `step` only for those, instead of for every action; results are
   * identical. `out` has room for every action.
   */
  candidates?(s: State, out: Int32Array): number;
  /** A state where every agent has finished: having no enabled action there is not a deadlock. */
  isFinal(s: State): boolean;
  /**
   * Optional symmetry reduction: write a canonical representative of `s`'s
   * orbit into `out`. Used for hashing only, so traces keep the real numbering.
   */
  canonicalize?(s: State, out: State): void;
  /**
   * Optional symmetry by interchangeable records, hashed without a sort or
   * a copy: each class lists records (whole-word runs) that may be permuted
   * among themselves without changing the state's behaviour. The engine
   * hashes the words outside every record in order and each class's records
   * with an order-independent (commutative) combination, so all states of
   * an orbit share a fingerprint. Records must be self-contained: nothing
   * else in the state may refer to a record by its position (an index or a
   * mask bit naming it). With `canonicalize` too, canonicalize runs first
   * (for the symmetries records cannot express) and the classes are hashed
   * on its output. Used for hashing only, like canonicalize.
   */
  readonly symmetry?: SymmetrySpec;
  /** A readable form of `s`, for traces and diffs only (never on the hot path). */
  decode(s: State): Json;
  /** A state-specific label of `action` taken in `s` (display only); defaults to the static name. */
  describeStep?(s: State, action: number): string;

  // ---- display hooks for counterexamples (all optional, never on the hot path) ----

  /** Lanes always drawn in a trace, in order (for example one per CPU); others appear when used. */
  readonly traceLanes?: readonly string[];
  /** The lane (trace column) an action belongs to, e.g. `cpu1`; defaults to its agent's name. */
  traceColumn?(action: number): string;
  /** A short (about 24 characters) form of describeStep, for the lane view. */
  shortLabel?(s: State, action: number): string;
  /** Other lanes this step reaches (a flush's targets, an IPI's initiator), for arrows between lanes. */
  stepLinks?(s: State, action: number, next: State): readonly StepLink[];
  /**
   * Windows open on a lane in state `s` (a lock held, interrupts off, a walk
   * in flight), drawn as bars along that lane across the steps they span.
   */
  laneSpans?(s: State): readonly LaneSpan[];
  /** A style for the step about to be taken (for example `flush` or `free`), so renderers can draw kinds of steps apart. */
  stepStyle?(s: State, action: number): string | undefined;
  /** The violation at the end of a trace, in the domain's words. */
  explain?(trace: ExplainInput): string;
  /** Why `action` is not enabled in `s` (used when a saved trace no longer replays). */
  whyDisabled?(s: State, action: number): string | undefined;

  /** What partial-order reduction needs to know; without it the reduction is off. */
  readonly independence?: Independence;
}

/** Classes of interchangeable records (see Model.symmetry). */
export interface SymmetrySpec {
  readonly classes: readonly RecordClass[];
}

/** Records of `words` words each, starting at the words `bases` (classes of fewer than two records are ignored). */
export interface RecordClass {
  readonly bases: readonly number[];
  readonly words: number;
}

/**
 * The state components (any numbering the model likes) each action may read
 * and write. Two actions of different agents that touch disjoint components
 * (neither writes what the other reads or writes) commute and neither
 * enables nor disables the other: that is the static independence relation.
 * Reads must include the guard, the effect, and whatever the action's step
 * properties read.
 */
export interface Independence {
  readonly reads: readonly (readonly number[])[];
  readonly writes: readonly (readonly number[])[];
  /** Components each state invariant reads: actions writing them are visible and never reduced. */
  readonly invariantReads?: Readonly<Record<string, readonly number[]>>;
  /** The actions `agent` may still take from `s` (a subset of its actions); all of them when absent. */
  futureActions?(s: State, agent: number): readonly number[];
  /**
   * Dynamic footprints (optional, all three together). The components are
   * bit positions in sets of `componentWords` 32-bit words.
   * - `footprint`: what `action` reads and writes when taken in `s` (its
   *   guard, its effect, and its step properties' reads), ORed into
   *   `reads`/`writes`;
   * - `futureFootprint`: the union of the footprints of everything `agent`
   *   may still do from `s` on while agent `mover` takes no step.
   * With them, C1 is the process-local condition: an agent's actions at its
   * current local state (`localActions`, enabled or not) must be
   * independent of everything any other agent may still do. The static
   * `reads`/`writes` are then not used.
   */
  readonly componentWords?: number;
  footprint?(s: State, action: number, reads: Uint32Array, writes: Uint32Array): void;
  futureFootprint?(s: State, agent: number, mover: number, reads: Uint32Array, writes: Uint32Array): void;
  /** The actions `agent` can take from its current local state, enabled or not (needed with dynamic footprints). */
  localActions?(s: State, agent: number): readonly number[];
}

export interface LaneSpan {
  readonly column: string;
  /** What kind of window (renderers give each kind its own colour), e.g. `lock`. */
  readonly kind: string;
  readonly label: string;
}

export interface StepLink {
  readonly column: string;
  readonly label: string;
}

export interface ExplainInput {
  readonly property: string;
  readonly kind: 'state' | 'step' | 'deadlock';
  readonly initial: State;
  /** The steps taken; `state` is the state after each. */
  readonly steps: readonly { readonly action: number; readonly state: State }[];
}

/** Parameter description for a model family (used by the CLI and `list`). */
export interface ParamSpec {
  readonly name: string;
  readonly description: string;
  readonly kind: 'int' | 'bool' | 'enum' | 'string';
  readonly default: number | boolean | string;
  /** For `int`. */
  readonly min?: number;
  readonly max?: number;
  /** For `enum`. */
  readonly values?: readonly string[];
  /** For `string`: a short name for the value in help (for example `agents`); the model's validate() checks it. */
  readonly valueName?: string;
  /** For `int`: also accepts the word `auto` (the model then picks the value). */
  readonly auto?: boolean;
}

export type ParamValues = Readonly<Record<string, number | boolean | string>>;

/** A family of models indexed by parameters (for example `philosophers --n N`). */
export interface ModelFactory {
  readonly id: string;
  readonly summary: string;
  readonly params: readonly ParamSpec[];
  /**
   * Parameters that identify a configuration (for example the architecture
   * and the kernel path): printed commands always name them, even at their
   * defaults, so a command means the same thing when the defaults change.
   */
  readonly keyParams?: readonly string[];
  /**
   * Optional: the same configuration with the defaults that name what runs
   * made explicit (an `auto` kernel path written as the path it resolves
   * to), so printed commands show them. A key parameter still `auto` after
   * it is left out.
   */
  normalize?(params: ParamValues): ParamValues;
  /** Property ids and statements, listed without building an instance; `kind` is 'always' (an invariant, the default) or 'sometimes' (reachability). */
  readonly properties: readonly { readonly id: string; readonly statement: string; readonly kind?: 'always' | 'sometimes' }[];
  /** Extra catalogues shown by `list` (for example the backends a parameter chooses from). */
  readonly catalog?: readonly { readonly title: string; readonly entries: readonly { readonly id: string; readonly summary: string }[] }[];
  /**
   * Optional configuration shrinking: one-step-smaller configurations of
   * `params` (one CPU fewer, an agent switched off, ...), most promising first.
   */
  shrink?(params: ParamValues): readonly ShrinkCandidate[];
  /** Builds the model; `params` has every declared parameter, already validated. */
  create(params: ParamValues): Model;
  /**
   * Optional ablations (for `why`): for each mechanism the configuration
   * `params` relies on, the same configuration with that one mechanism
   * removed, with its id and a one-line statement of what it does.
   */
  ablations?(params: ParamValues): readonly Ablation[];
  /**
   * Optional: the values of `params` that decide which branch the modelled
   * code takes (derived ones included), shown in a trace header; shrinking
   * keeps them fixed.
   */
  branches?(params: ParamValues): Readonly<Record<string, string>>;
  /**
   * Optional cross-parameter validation; returns an error message for an
   * impossible combination, or undefined when the combination is valid.
   */
  validate?(params: ParamValues): string | undefined;
  /**
   * Optional checks of a configuration a user asked for, beyond validate():
   * a request that is valid but would not mean what it says (switching off a
   * mechanism the configuration never consults). Not applied to shrinking's
   * candidates, which may drop what a request named.
   */
  validateRequest?(params: ParamValues): string | undefined;
}

export interface Ablation {
  /** The mechanism removed. */
  readonly id: string;
  readonly statement: string;
  /** Where the mechanism is specified (for example a spec section). */
  readonly ref?: string;
  readonly params: ParamValues;
}

export interface ShrinkCandidate {
  readonly params: ParamValues;
  /** What changed, e.g. "cpus 3 -> 2". */
  readonly change: string;
  /**
   * Set when the candidate would change which branch the modelled code takes
   * (ModelFactory.branches): it is not tried, and the reason is recorded.
   */
  readonly refused?: string;
}

/** Static name of `action`, or the model's state-specific description of it in `s`. */
export function actionLabel(model: Model, s: State | undefined, action: number): string {
  if (s && model.describeStep) return model.describeStep(s, action);
  const info = model.actions[action];
  return info ? info.name : `action#${action}`;
}

export function agentOf(model: Model, action: number): string {
  const info = model.actions[action];
  if (!info) return '?';
  return model.agents[info.agent] ?? `agent#${info.agent}`;
}

export function deadlockProperty(model: Model): DeadlockProperty {
  return model.deadlock ?? DEFAULT_DEADLOCK;
}
