/**
 * Configuration shrinking (DOMAIN §8 b): from a violating configuration,
 * greedily take any one-step-smaller configuration (the model proposes them:
 * one CPU fewer, one page fewer, an agent switched off, ...) that still
 * violates the same property, until none does. The result is 1-minimal: no
 * single shrinking step from it still violates. Every attempt is recorded.
 */
import { check } from '../engine/check.ts';
import { deadlockProperty, type ModelFactory, type ParamValues } from '../engine/model.ts';
import type { SearchOptions, SearchResult, Violation } from '../engine/result.ts';
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
}

/** Searches `params` for the shortest violation of `property` alone (other properties are not checked). */
export function violationOf(factory: ModelFactory, params: ParamValues, property: string, options: SearchOptions = {}): { result: SearchResult; violation?: Violation } {
  const model = factory.create(params);
  const dl = deadlockProperty(model).id;
  const skip = model.invariants.map((i) => i.id).filter((id) => id !== property);
  const result = check(model, { ...options, all: false, strategy: 'bfs', skip, checkDeadlock: property === dl });
  return { result, violation: result.violations.find((v) => v.property === property) };
}

export function minimize(
  factory: ModelFactory,
  params: ParamValues,
  property: string,
  options: SearchOptions = {},
  maxAttempts = 200,
  /** A violation already known in `params` (from simulation): shrinking starts from it without searching `params` again. */
  known?: Violation,
): Minimized | undefined {
  const start = known ? undefined : violationOf(factory, params, property, options);
  const first = known ?? start?.violation;
  if (!first) return undefined;
  let cur: { params: ParamValues; result: SearchResult | undefined; violation: Violation } = { params, result: start?.result, violation: first };
  const tried: ShrinkAttempt[] = [];
  let round: ShrinkAttempt[] = [];
  let progress = true;
  while (progress && tried.length < maxAttempts) {
    progress = false;
    round = [];
    for (const cand of factory.shrink?.(cur.params) ?? []) {
      if (tried.length >= maxAttempts) break;
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
      }
      tried.push(attempt);
      round.push(attempt);
    }
  }
  return { ...cur, tried, final: progress ? [] : round };
}
