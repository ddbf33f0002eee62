/**
 * Random simulation for configurations too large to exhaust: random walks
 * from an initial state, checking every invariant on the way. With swarm on,
 * each run also draws a random subset of agents to schedule (the others keep
 * still, which is one of the full model's behaviours, so anything found is a
 * real violation). Finding nothing proves nothing.
 */
import { Chooser } from './chooser.ts';
import { SearchContext } from './context.ts';
import { fingerprint } from './fingerprint.ts';
import type { Model } from './model.ts';
import { budgetStop } from './budget.ts';
import type { Violation, Witness } from './result.ts';
import { FingerprintSet } from './visited.ts';

export interface SimulationOptions {
  readonly seed: string;
  readonly runs: number;
  /** Steps per run at most. */
  readonly depth: number;
  readonly swarm?: boolean;
  /** The first run's number (runs are firstRun .. firstRun + runs - 1), so a stopped simulation can be continued. */
  readonly firstRun?: number;
  readonly timeLimitSeconds?: number;
  /** The command's deadline (Date.now() ms), memory bound and interrupt flag, checked between runs and every 1024 steps. */
  readonly deadline?: number;
  readonly maxMemoryBytes?: number;
  readonly interrupt?: Int32Array;
  readonly checkDeadlock?: boolean;
  readonly skip?: readonly string[];
  /** Called about every `progressIntervalMs` (2 s) while the runs go on. */
  readonly onProgress?: (p: SimulationProgress) => void;
  readonly progressIntervalMs?: number;
  /** The set of distinct states met (fingerprints); a fresh one when absent. A caller may pass its own to read them afterwards. */
  readonly visited?: FingerprintSet;
}

export interface SimulationProgress {
  readonly runsDone: number;
  readonly runs: number;
  readonly steps: number;
  readonly distinctStates: number;
  readonly seconds: number;
  readonly rssBytes: number;
  readonly maxMemoryBytes?: number;
  /**
   * Seconds left: the runs left at the average time per run so far, or the
   * time limit's remainder when that comes first.
   */
  readonly secondsLeft?: number;
  readonly leftBy?: 'runs' | 'time-limit';
}

export interface SimulationResult {
  readonly verdict: 'violated' | 'incomplete';
  readonly violation?: Violation;
  /** The run that found it, and that run's seed (`<seed>:<run>`). */
  readonly run?: number;
  readonly runSeed?: string;
  /** Agents the violating run scheduled (all, without swarm). */
  readonly agents?: readonly string[];
  readonly runs: number;
  readonly steps: number;
  readonly distinctStates: number;
  readonly seconds: number;
  /** Why the simulation ended without a violation. */
  readonly stopped: 'runs' | 'time-limit' | 'max-memory' | 'interrupted';
  /** The first run not done (to continue with --from-run). */
  readonly nextRun: number;
  /** Reachability properties some walk reached (the walk as taken: not shortest), and those none did (unknown: simulation proves nothing). */
  readonly witnesses: readonly Witness[];
  readonly unreached: readonly string[];
}

export function simulate(model: Model, o: SimulationOptions): SimulationResult {
  const ctx = new SearchContext(model, { checkDeadlock: o.checkDeadlock ?? true, skip: o.skip ?? [] });
  const budget = {
    ...(o.interrupt ? { interrupt: o.interrupt } : {}),
    ...(o.maxMemoryBytes !== undefined ? { maxMemoryBytes: o.maxMemoryBytes } : {}),
    ...(o.deadline !== undefined ? { deadline: o.deadline } : {}),
  };
  const firstRun = o.firstRun ?? 0;
  const start = performance.now();
  const W = model.stateWords;
  const A = model.actions.length;
  const seen = o.visited ?? new FingerprintSet();
  const fp = new Uint32Array(2);
  const inits = model.initialStates();
  const nexts: Uint32Array[] = Array.from({ length: A }, () => new Uint32Array(W));
  const enabled = new Int32Array(A);
  let steps = 0;
  const deadline = o.timeLimitSeconds !== undefined ? start + o.timeLimitSeconds * 1000 : Infinity;
  let sinceCheck = 0;
  const every = o.progressIntervalMs ?? 2000;
  let nextProgress = start + every;
  let currentRun = firstRun;
  const sharedDeadline = o.deadline !== undefined ? start + (o.deadline - Date.now()) : Infinity;
  const stopNow = (): SimulationResult['stopped'] | undefined => {
    const now = performance.now();
    if (o.onProgress && now >= nextProgress) {
      nextProgress = now + every;
      const seconds = (now - start) / 1000;
      const done = currentRun - firstRun;
      const byRuns = done > 0 ? ((o.runs - done) * seconds) / done : undefined;
      const end = Math.min(deadline, sharedDeadline);
      const byTime = end !== Infinity ? Math.max(0, (end - now) / 1000) : undefined;
      const useTime = byTime !== undefined && (byRuns === undefined || byTime < byRuns);
      o.onProgress({
        runsDone: done,
        runs: o.runs,
        steps,
        distinctStates: seen.size,
        seconds,
        rssBytes: process.memoryUsage.rss(),
        ...(o.maxMemoryBytes !== undefined ? { maxMemoryBytes: o.maxMemoryBytes } : {}),
        ...(useTime ? { secondsLeft: byTime, leftBy: 'time-limit' as const } : byRuns !== undefined ? { secondsLeft: byRuns, leftBy: 'runs' as const } : {}),
      });
    }
    if (now > deadline) return 'time-limit';
    const b = budgetStop(budget);
    return b === 'time-limit' || b === 'max-memory' || b === 'interrupted' ? b : undefined;
  };

  for (let run = firstRun; run < firstRun + o.runs; run++) {
    currentRun = run;
    const stop = stopNow();
    if (stop) return done(stop, run);
    const runSeed = `${o.seed}:${run}`;
    const ch = new Chooser(runSeed);
    // Swarm: each agent is scheduled with probability 1/2 (at least one).
    const active = model.agents.map(() => !o.swarm || ch.chance(0.5));
    if (!active.some(Boolean)) active[ch.pick(active.length)] = true;
    const initial = ch.pick(inits.length);
    let s = Uint32Array.from(inits[initial]!);
    const path: number[] = [];
    const report = (property: string, statement: string, kind: Violation['kind']): SimulationResult => ({
      verdict: 'violated',
      violation: { property, statement, initial, path: [...path], kind },
      run,
      runSeed,
      agents: model.agents.filter((_, i) => active[i]),
      runs: run + 1 - firstRun,
      steps,
      distinctStates: seen.size,
      seconds: (performance.now() - start) / 1000,
      stopped: 'runs',
      nextRun: run + 1,
      ...reachability(),
    });
    const walk = (): { initial: number; actions: number[] } => ({ initial, actions: [...path] });
    if (ctx.reachStates.length > 0) ctx.reachState(s, walk);
    const first = ctx.brokenState(s)[0];
    if (first) return report(first.id, first.statement, 'state');
    for (let d = 0; d < o.depth; d++) {
      if (++sinceCheck === 1024) {
        sinceCheck = 0;
        const stop = stopNow();
        if (stop) return done(stop, run);
      }
      let n = 0;
      let any = false;
      for (let a = 0; a < A; a++) {
        if (!model.step(s, a, nexts[n]!)) continue;
        any = true;
        if (active[model.actions[a]!.agent]) enabled[n++] = a;
        else continue;
      }
      if (!any) {
        if (ctx.checkDeadlock && !model.isFinal(s)) return report(ctx.deadlockId, ctx.deadlockStatement, 'deadlock');
        break;
      }
      if (n === 0) break; // only unscheduled agents could move
      const k = ch.pick(n);
      const a = enabled[k]!;
      const t = nexts[k]!;
      path.push(a);
      steps++;
      const bad = ctx.brokenStep(s, a, t)[0];
      if (bad) return report(bad.id, bad.statement, 'step');
      const broken = ctx.brokenState(t)[0];
      if (broken) return report(broken.id, broken.statement, 'state');
      if (ctx.reachSteps.length > 0) ctx.reachStep(s, a, t, walk);
      if (ctx.reachStates.length > 0) ctx.reachState(t, walk);
      fingerprint(t, W, fp);
      seen.add2(fp[0]!, fp[1]!);
      s = Uint32Array.from(t);
    }
  }
  return done('runs', firstRun + o.runs);

  function reachability(): { witnesses: Witness[]; unreached: string[] } {
    const found = new Set(ctx.witnesses.map((w) => w.property));
    const ids = (model.sometimes ?? []).map((r) => r.id).filter((id) => !(o.skip ?? []).includes(id));
    return { witnesses: [...ctx.witnesses], unreached: ids.filter((id) => !found.has(id)) };
  }

  function done(stopped: SimulationResult['stopped'], nextRun: number): SimulationResult {
    return { verdict: 'incomplete', runs: nextRun - firstRun, steps, distinctStates: seen.size, seconds: (performance.now() - start) / 1000, stopped, nextRun, ...reachability() };
  }
}

/** Cuts the loops out of a path: when a state repeats, the steps between its two visits go. */
export function loopErase(model: Model, initial: number, path: readonly number[]): number[] {
  const s0 = Uint32Array.from(model.initialStates()[initial]!);
  const states: Uint32Array[] = [s0];
  const out: number[] = [];
  const key = (s: Uint32Array): string => s.join(',');
  const index = new Map<string, number>([[key(s0), 0]]);
  let cur: Uint32Array = s0;
  for (const a of path) {
    const t = new Uint32Array(model.stateWords);
    if (!model.step(cur, a, t)) throw new Error('loopErase: path does not replay');
    const k = key(t);
    const at = index.get(k);
    if (at !== undefined && at < states.length - 1) {
      // Back to an earlier state: forget the loop.
      for (let j = states.length - 1; j > at; j--) index.delete(key(states[j]!));
      states.length = at + 1;
      out.length = at;
    } else if (at === undefined) {
      states.push(t);
      out.push(a);
      index.set(k, states.length - 1);
    }
    cur = states[states.length - 1]!;
  }
  return out;
}
