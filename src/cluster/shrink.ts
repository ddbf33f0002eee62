/**
 * Configuration shrinking with the candidates as jobs: the same greedy
 * rounds as counterexample/shrink.ts `minimize`, but each round's
 * candidates run at once on the workers. The candidate taken is the first,
 * in the model's order, that still violates: the answers of the candidates
 * after it are not waited for (their jobs are cancelled), and those before it
 * are, so the attempts recorded and the configuration reached are exactly
 * the sequential ones.
 */
import { budgetStop } from '../engine/budget.ts';
import type { ModelFactory, ParamValues } from '../engine/model.ts';
import type { Bound, SearchOptions, Violation } from '../engine/result.ts';
import type { ShrinkAttempt } from '../counterexample/format.ts';
import type { Minimized } from '../counterexample/shrink.ts';
import { shrinkStart, type ShrinkPoint } from '../counterexample/shrink.ts';
import { batchLine, type BatchProgress, type JobClient } from './client.ts';
import { shippable, type ShrinkJob, type ShrinkOutcome } from './jobs.ts';
import { PROTOCOL } from './redis.ts';

export async function minimizeOnWorkers(
  client: JobClient,
  factory: ModelFactory,
  params: ParamValues,
  property: string,
  options: SearchOptions = {},
  maxAttempts = 200,
  known?: Violation,
  onStatus?: (text: string) => void,
): Promise<Minimized | undefined> {
  const start = shrinkStart(factory, params, property, options, known);
  if (!start) return undefined;
  let cur: ShrinkPoint = start;
  const tried: ShrinkAttempt[] = [];
  let round: ShrinkAttempt[] = [];
  let progress = true;
  let stopped: Bound | undefined;
  const ship = shippable(options);
  while (progress && tried.length < maxAttempts && !stopped) {
    progress = false;
    round = [];
    stopped = budgetStop(options);
    if (stopped) break;
    const cands = (factory.shrink?.(cur.params) ?? []).slice(0, maxAttempts - tried.length);
    // Refused and invalid candidates are decided here; the others are jobs.
    const local: (ShrinkAttempt | undefined)[] = cands.map((c) =>
      c.refused ? { change: `${c.change}: ${c.refused}`, outcome: 'refused' } : factory.validate?.(c.params) ? { change: c.change, outcome: 'invalid' } : undefined,
    );
    const batch = client.newBatch();
    const jobs: ShrinkJob[] = [];
    const jobOf: number[] = [];
    cands.forEach((c, i) => {
      if (local[i]) return;
      jobOf[i] = jobs.length;
      jobs.push({ kind: 'shrink', protocol: PROTOCOL, batch, model: factory.id, params: c.params, property, options: ship });
    });
    let firstViolating = Infinity;
    const answers = new Map<number, ShrinkOutcome>();
    const { results, stopped: cut } = await client.run<ShrinkOutcome>(batch, jobs, {
      onResult: (j, r) => {
        answers.set(j, r);
        if (r.violation && j < firstViolating) firstViolating = j;
      },
      needed: (j) => j <= firstViolating,
      ...(options.interrupt ? { interrupt: options.interrupt } : {}),
      ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
      ...(onStatus ? { onProgress: (p: BatchProgress) => onStatus(batchLine(`shrinking round ${tried.filter((t) => t.outcome === 'violates').length + 1}`, p)) } : {}),
    });
    void results;
    // Replay the round in order, as the sequential loop would have taken it.
    for (let i = 0; i < cands.length; i++) {
      const c = cands[i]!;
      if (local[i]) {
        tried.push(local[i]!);
        round.push(local[i]!);
        continue;
      }
      const a = answers.get(jobOf[i]!);
      if (!a) {
        stopped = cut ?? budgetStop(options) ?? 'interrupted';
        break;
      }
      if (a.violation) {
        tried.push({ change: c.change, outcome: 'violates' });
        cur = { params: c.params, result: a.result, violation: a.violation };
        progress = true;
        break;
      }
      const attempt: ShrinkAttempt = { change: c.change, outcome: a.verdict === 'incomplete' ? 'incomplete' : 'holds' };
      tried.push(attempt);
      round.push(attempt);
      const b = a.bound;
      if (b === 'interrupted' || b === 'time-limit' || b === 'max-memory') {
        stopped = b;
        break;
      }
    }
  }
  return { ...cur, tried, final: progress || stopped ? [] : round, ...(stopped ? { stopped } : {}) };
}
