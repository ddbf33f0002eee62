/**
 * A simulation's runs as jobs (`tlbcheck simulate --redis URL`): run i is
 * still seeded `<seed>:i`, so a job of runs a..b does exactly what the local
 * loop does for those runs. The answer is the local one: the lowest-numbered
 * violating run wins (the jobs after its job are cancelled, those before it
 * are waited for); steps, runs and witnesses are those of the runs up to it
 * (or up to the first run not done, when a bound or an interrupt stopped
 * the simulation), and the distinct states are the union of the jobs' sets,
 * which each job returns as fingerprints.
 */
import type { ModelFactory, ParamValues } from '../engine/model.ts';
import type { SimulationOptions, SimulationResult } from '../engine/simulate.ts';
import { FingerprintSet } from '../engine/visited.ts';
import type { Witness } from '../engine/result.ts';
import { JobClient, type BatchProgress } from './client.ts';
import type { SimJob, SimOutcome } from './jobs.ts';
import { PROTOCOL, type RedisTarget } from './redis.ts';

export { runsPerJob } from './options.ts';

export async function simulateOnWorkers(
  target: RedisTarget,
  factory: ModelFactory,
  params: ParamValues,
  o: SimulationOptions,
  perJob: number,
  onProgress?: (p: BatchProgress) => void,
): Promise<SimulationResult> {
  const start = performance.now();
  const first = o.firstRun ?? 0;
  const count = Math.ceil(o.runs / perJob);
  const client = await JobClient.open(target);
  const sometimes = (factory.create(params).sometimes ?? []).map((r) => r.id).filter((id) => !(o.skip ?? []).includes(id));
  try {
    const batch = client.newBatch();
    const make = (i: number): SimJob => {
      const from = first + i * perJob;
      return {
        kind: 'sim',
        protocol: PROTOCOL,
        batch,
        model: factory.id,
        params,
        seed: o.seed,
        firstRun: from,
        runs: Math.min(perJob, first + o.runs - from),
        depth: o.depth,
        swarm: o.swarm ?? false,
        checkDeadlock: o.checkDeadlock ?? true,
        skip: [...(o.skip ?? [])],
        ...(o.deadline !== undefined ? { deadline: o.deadline } : o.timeLimitSeconds !== undefined ? { deadline: Date.now() + o.timeLimitSeconds * 1000 } : {}),
        ...(o.maxMemoryBytes !== undefined ? { maxMemoryBytes: o.maxMemoryBytes } : {}),
      };
    };
    // The first job that found a violation or stopped early ends the answer: later jobs are not needed.
    let last = Infinity;
    const { results, stopped } = await client.run<SimOutcome>(
      batch,
      { count, make },
      {
        onResult: (i, r) => {
          if (r.result.verdict === 'violated' || r.result.stopped !== 'runs') last = Math.min(last, i);
        },
        needed: (i) => i <= last,
        ...(o.interrupt ? { interrupt: o.interrupt } : {}),
        ...(o.deadline !== undefined ? { deadline: o.deadline } : {}),
        ...(onProgress ? { onProgress } : {}),
      },
    );
    // The local loop's answer, from the jobs in run order.
    const seen = new FingerprintSet();
    const witnesses: Witness[] = [];
    let steps = 0;
    let runs = 0;
    for (let i = 0; i < count; i++) {
      const got = results.get(i);
      const from = first + i * perJob;
      if (!got) {
        return done(stopped ?? 'interrupted', from);
      }
      const r = got.result;
      const fps = Buffer.from(got.fingerprints, 'base64');
      const pairs = new Uint32Array(fps.buffer.slice(fps.byteOffset, fps.byteOffset + fps.byteLength));
      for (let k = 0; k < pairs.length; k += 2) seen.add2(pairs[k]!, pairs[k + 1]!);
      steps += r.steps;
      runs += r.runs;
      for (const w of r.witnesses) if (!witnesses.some((x) => x.property === w.property)) witnesses.push(w);
      if (r.verdict === 'violated') {
        return { ...r, runs, steps, distinctStates: seen.size, seconds: (performance.now() - start) / 1000, ...reach() };
      }
      if (r.stopped !== 'runs') return done(r.stopped, r.nextRun);
    }
    return done('runs', first + o.runs);

    function reach(): { witnesses: Witness[]; unreached: string[] } {
      return { witnesses: [...witnesses], unreached: sometimes.filter((id) => !witnesses.some((w) => w.property === id)) };
    }
    function done(why: SimulationResult['stopped'], nextRun: number): SimulationResult {
      return { verdict: 'incomplete', runs: nextRun - first, steps, distinctStates: seen.size, seconds: (performance.now() - start) / 1000, stopped: why, nextRun, ...reach() };
    }
  } finally {
    await client.close();
  }
}
