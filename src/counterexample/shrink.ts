/**
 * Configuration shrinking (DOMAIN §8 b): from a violating configuration,
 * greedily take any one-step-smaller configuration (the model proposes them:
 * one CPU fewer, one page fewer, an agent switched off, ...) that still
 * violates the same property, until none does. The result is 1-minimal: no
 * single shrinking step from it still violates. Every attempt is recorded.
 */
import { check } from '../engine/check.ts';
import { deadlockProperty, type ModelFactory, type ParamValues } from '../engine/model.ts';
import { budgetStop } from '../engine/budget.ts';
import type { Bound, SearchOptions, SearchResult, Violation, Witness } from '../engine/result.ts';
import type { ShrinkAttempt } from './format.ts';

export interface Minimized {
  readonly params: ParamValues;
  /** The search that found `violation` (absent when no smaller configuration violated and the start was given). */
  readonly result: SearchResult | undefined;
  /** The shortest violation of the property in the minimized configuration. */
  readonly violation: Violation;
  readonly tried: readonly ShrinkAttempt[];
  /** The attempts from the final configuration: every one-step-smaller configuration, none violating. */
  readonly final: readonly ShrinkAttempt[];
  /** Set when a bound (time, memory, interrupt) stopped the shrinking: `params` is then the smallest found so far, not necessarily 1-minimal. */
  readonly stopped?: Bound;
}

/** Searches `params` for the shortest violation of `property` alone (other properties are not checked). */
export function violationOf(factory: ModelFactory, params: ParamValues, property: string, options: SearchOptions = {}): { result: SearchResult; violation?: Violation } {
  const model = factory.create(params);
  const dl = deadlockProperty(model).id;
  const skip = model.invariants.map((i) => i.id).filter((id) => id !== property);
  const result = check(model, { ...options, all: false, strategy: 'bfs', skip, checkDeadlock: property === dl });
  return { result, violation: result.violations.find((v) => v.property === property) };
}

/** Searches `params` for the shortest witness of the reachability property `property` alone (nothing else is checked). */
export function witnessOf(factory: ModelFactory, params: ParamValues, property: string, options: SearchOptions = {}): { result: SearchResult; witness?: Witness } {
  const model = factory.create(params);
  const skip = [...model.invariants.map((i) => i.id), ...(model.sometimes ?? []).map((r) => r.id).filter((id) => id !== property)];
  const result = check(model, { ...options, all: true, strategy: 'bfs', skip, checkDeadlock: false, partialOrder: false, stopWhenReached: true });
  return { result, witness: result.witnesses.find((w) => w.property === property) };
}

/** A configuration that violates the property, with its violation (and the search that found it, if one did). */
export interface ShrinkPoint {
  readonly params: ParamValues;
  readonly result: SearchResult | undefined;
  readonly violation: Violation;
}

/** Where shrinking starts: `known`, or a search of `params` for a violation of `property`; undefined when there is none. */
export function shrinkStart(
  factory: ModelFactory,
  params: ParamValues,
  property: string,
  options: SearchOptions,
  known: Violation | undefined,
): ShrinkPoint | undefined {
  const start = known ? undefined : violationOf(factory, params, property, options);
  const violation = known ?? start?.violation;
  return violation ? { params, result: start?.result, violation } : undefined;
}

export function minimize(
  factory: ModelFactory,
  params: ParamValues,
  property: string,
  options: SearchOptions = {},
  maxAttempts = 200,
  /** A violation already known in `params` (a shortest one, from the search or simulation): shrinking starts from it without searching `params` again. */
  known?: Violation,
  /** Called before each attempt (for progress lines). */
  onAttempt?: (change: string, attempt: number) => void,
): Minimized | undefined {
  const start = shrinkStart(factory, params, property, options, known);
  if (!start) return undefined;
  let cur: ShrinkPoint = start;
  const tried: ShrinkAttempt[] = [];
  let round: ShrinkAttempt[] = [];
  let progress = true;
  let stopped: Bound | undefined;
  while (progress && tried.length < maxAttempts && !stopped) {
    progress = false;
    round = [];
    for (const cand of factory.shrink?.(cur.params) ?? []) {
      if (tried.length >= maxAttempts) break;
      // The command's bounds cover shrinking too: stop between attempts, keeping the smallest so far.
      stopped = budgetStop(options);
      if (stopped) break;
      onAttempt?.(cand.change, tried.length + 1);
      let attempt: ShrinkAttempt;
      if (cand.refused) attempt = { change: `${cand.change}: ${cand.refused}`, outcome: 'refused' };
      else if (factory.validate?.(cand.params)) attempt = { change: cand.change, outcome: 'invalid' };
      else {
        const r = violationOf(factory, cand.params, property, options);
        if (r.violation) {
          tried.push({ change: cand.change, outcome: 'violates' });
          cur = { params: cand.params, result: r.result, violation: r.violation };
          progress = true;
          break;
        }
        attempt = { change: cand.change, outcome: r.result.verdict === 'incomplete' ? 'incomplete' : 'holds' };
        // An attempt cut by the command's own bounds ends the shrinking (a --max-states budget per attempt does not).
        const b = r.result.bound;
        if (b === 'interrupted' || b === 'time-limit' || b === 'max-memory') stopped = b;
      }
      tried.push(attempt);
      round.push(attempt);
      if (stopped) break;
    }
  }
  return { ...cur, tried, final: progress || stopped ? [] : round, ...(stopped ? { stopped } : {}) };
}
