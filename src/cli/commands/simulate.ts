/** `tlbcheck simulate <model> ...`: seeded random (optionally swarm) simulation, then minimization of what it finds. */
import { loopErase, simulate, type SimulationProgress } from '../../engine/simulate.ts';
import type { Progress, Violation } from '../../engine/result.ts';
import { budgetOf, budgetStop } from '../../engine/budget.ts';
import { minimize, violationOf } from '../../counterexample/shrink.ts';
import { reproduceCommand } from '../../counterexample/generate.ts';
import { toTraceFile } from '../../counterexample/format.ts';
import { renderTraceFile } from '../../counterexample/render-file.ts';
import { traceView, witnessView } from '../../render/trace.ts';
import { boundText, formatInt, JSON_FORMAT_VERSION, TOOL_VERSION } from '../../render/report.ts';
import { shellQuote, UsageError, type OptionSpec } from '../args.ts';
import { progressPrinter, simulationLine } from '../progress.ts';
import { EXIT, type Command, type Io } from '../command.ts';
import { configOf, prepareModel, TRACE_OUTPUT_OPTIONS, withKeyParams, writeOutputs } from './check.ts';
import { REDIS_OPTION, shrinkingUnreachable } from './cluster.ts';
import { batchLine, parseRedisUrl, runsPerJob } from '../../cluster/options.ts';

const SIM_OPTIONS: readonly OptionSpec[] = [
  { name: 'seed', kind: 'string', valueName: 'seed', default: '1', description: 'seed of the runs (run i uses "<seed>:<i>")' },
  { name: 'runs', kind: 'int', min: 1, max: 1e9, default: 1000, description: 'random walks' },
  { name: 'from-run', kind: 'int', min: 0, max: 1e9, default: 0, description: 'number of the first run (to continue a stopped simulation)' },
  { name: 'depth', kind: 'int', min: 1, max: 1e7, default: 200, description: 'steps per walk at most' },
  { name: 'swarm', kind: 'bool', description: 'each run schedules a random subset of the agents' },
  { name: 'time-limit', kind: 'number', min: 0.001, max: 1e7, valueName: 'seconds', description: 'stop after this many seconds (the runs and the minimization together)' },
  { name: 'max-memory', kind: 'int', min: 16, max: 1 << 30, valueName: 'MiB', description: 'stop before the process exceeds this resident size (runs and minimization)', default: '60% of RAM' },
  { name: 'minimize-states', kind: 'int', min: 1, max: 1e9, default: 2_000_000, description: 'state budget of each search used to minimize a violation' },
  { name: 'no-minimize', kind: 'bool', description: 'report the random walk as found (loop-erased), without searching for a shorter one' },
  { name: 'deadlock', kind: 'bool', default: true, description: 'report stuck non-final states (--no-deadlock to skip)' },
  { name: 'skip', kind: 'string', valueName: 'ids', description: 'comma-separated property ids not to check' },
  REDIS_OPTION,
  { name: 'runs-per-job', kind: 'int', min: 1, max: 1e9, valueName: 'n', description: 'with --redis: runs per job', default: 'about 64 jobs, at most 200,000 steps each' },
  ...TRACE_OUTPUT_OPTIONS,
];

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'random (swarm) simulation for configurations too large to exhaust; finding nothing proves nothing',
  usage: 'tlbcheck simulate <model> [--param value ...] [--seed S] [--runs K] [--depth D] [--swarm]',
  details:
    'The same seed gives the same result. A violation is reported with the seed of the run that found it, then\n' +
    'minimized: loops are cut out of the walk, a breadth-first search bounded by its length looks for the\n' +
    'shortest trace, and the configuration is shrunk; --time-limit and --max-memory cover all of it. Reachability\n' +
    'properties some walk reached are reported with that walk (loop-erased). Exit 1 on a violation, 3 when none\n' +
    'was found (simulation is not a proof) or the run was stopped (the command to continue is printed), 2 on bad input.',
  options: SIM_OPTIONS,
  async run(argv: readonly string[], io: Io): Promise<number> {
    const prepared = prepareModel(this, argv, io);
    if (!prepared) return EXIT.holds;
    const { factory, params, options, o, model } = prepared;
    const seed = String(options.get('seed') ?? '1');
    const runs = (options.get('runs') as number | undefined) ?? 1000;
    const fromRun = (options.get('from-run') as number | undefined) ?? 0;
    const budget = budgetOf(o);
    const status = progressPrinter(io, `${factory.id}: `);
    const redisUrl = options.get('redis') as string | undefined;
    const target = redisUrl !== undefined ? parseRedisUrl(redisUrl) : undefined;
    if (options.has('runs-per-job') && !target) throw new UsageError('--runs-per-job needs --redis URL');
    const simOptions = {
      seed,
      runs,
      firstRun: fromRun,
      depth: (options.get('depth') as number | undefined) ?? 200,
      swarm: options.get('swarm') === true,
      checkDeadlock: o.checkDeadlock ?? true,
      skip: o.skip ?? [],
      ...budget,
    };
    const r = target
      ? await (await import('../../cluster/simulate.ts')).simulateOnWorkers(target, factory, params, simOptions, (options.get('runs-per-job') as number | undefined) ?? runsPerJob(runs, simOptions.depth), status.status ? (p) => status.status!(batchLine('runs', p)) : undefined)
      : simulate(model, { ...simOptions, ...(status.status ? { onProgress: (p: SimulationProgress) => status.status!(simulationLine(p)) } : {}) });
    status.done();
    const summary = `${formatInt(r.runs)} runs, ${formatInt(r.steps)} steps, ${formatInt(r.distinctStates)} distinct states seen, ${r.seconds.toFixed(2)} s`;
    const json = options.get('json') === true;
    const witnesses = r.witnesses.map((w) => witnessView(model, { ...w, path: eraseLoops(model, w) }));
    const reachLines = [
      ...witnesses.map((w) => `sometimes   ${w.property}: reached by a walk, ${w.steps.length} steps after removing loops (not necessarily shortest)`),
      ...r.unreached.map((id) => `sometimes   ${id}: not reached (unknown: simulation proves nothing)`),
    ];
    const base = { version: JSON_FORMAT_VERSION, tool: `tlbcheck ${TOOL_VERSION}`, model: factory.id, config: { ...configOf(params, o), seed, 'from-run': fromRun } };
    const reachDoc = {
      reachability: [
        ...witnesses.map((w) => ({ property: w.property, statement: w.statement, status: 'reached', length: w.steps.length })),
        ...r.unreached.map((id) => ({ property: id, statement: model.sometimes?.find((x) => x.id === id)?.statement ?? '', status: 'unknown', length: null })),
      ],
    };
    if (!r.violation) {
      const stoppedEarly = r.stopped !== 'runs';
      const left = fromRun + runs - r.nextRun;
      const cont = stoppedEarly ? continueSimulation(withKeyParams(factory, params, argv, false), r.nextRun, left) : undefined;
      const why = stoppedEarly ? ` (stopped: ${boundText(r.stopped)})` : '';
      if (json) {
        io.out(JSON.stringify({ ...base, verdict: 'incomplete', bound: stoppedEarly ? r.stopped : null, simulation: { ...r, witnesses: undefined }, ...reachDoc, ...(cont ? { continue: cont } : {}) }, null, 2));
      } else {
        io.out(
          `no violation found in ${summary}${why}.\nSimulation explores a sample of the behaviours: finding nothing proves nothing. Use \`tlbcheck check\` for a proof.` +
            (reachLines.length > 0 ? `\n${reachLines.join('\n')}` : '') +
            (cont ? `\nto go on with runs ${r.nextRun}..${fromRun + runs - 1}: ${cont}` : ''),
        );
      }
      if (witnesses[0]) writeOutputs(options, { view: witnesses[0], file: toTraceFile(factory.id, params, witnesses[0], reproduceCommand(factory, params)) }, io);
      return EXIT.incomplete;
    }
    // Minimize: loop erasure, then the shortest trace within the walk's length, then a smaller configuration.
    const found = r.violation;
    const states = (options.get('minimize-states') as number | undefined) ?? 2_000_000;
    let v: Violation = { ...found, path: eraseLoops(model, found) };
    const notes = [`found by run ${r.run} (seed "${r.runSeed}"${r.agents && r.agents.length < model.agents.length ? `, scheduling ${r.agents.join(', ')}` : ''}) after ${found.path.length} steps; ${v.path.length} after removing loops`];
    let finalParams = params;
    let minimization;
    if (!options.get('no-minimize')) {
      const stop = budgetStop(budget);
      if (stop) notes.push(`not minimized: ${boundText(stop)}`);
      else {
        const p = progressPrinter(io, `${factory.id}: shortest trace within ${v.path.length} steps: `);
        const bfs = violationOf(factory, params, v.property, { ...budget, maxDepth: v.path.length, maxStates: states, ...(p.onProgress ? { onProgress: p.onProgress } : {}) });
        p.done();
        if (bfs.violation && bfs.violation.path.length <= v.path.length) {
          v = bfs.violation;
          notes.push(`shortest in this configuration: ${v.path.length} steps`);
        } else notes.push(`the bounded search for a shorter trace was cut short (${bfs.result.bound ?? 'no result'}); keeping the walk`);
        const q = progressPrinter(io, `${factory.id}: minimizing: `);
        let attempt = '';
        let m;
        if (target) {
          const [{ JobClient }, { minimizeOnWorkers }] = await Promise.all([import('../../cluster/client.ts'), import('../../cluster/shrink.ts')]);
          try {
            const client = await JobClient.open(target);
            try {
              m = await minimizeOnWorkers(client, factory, params, v.property, { ...budget, maxStates: states }, 200, v, q.status);
            } finally {
              await client.close();
            }
          } catch (e) {
            notes.push(`not minimized (${shrinkingUnreachable(e)}): the trace shown is in the configuration simulated`);
          }
        } else {
          m = minimize(factory, params, v.property, { ...budget, maxStates: states, ...(q.onProgress ? { onProgress: (x: Progress) => q.onProgress!(x, attempt) } : {}) }, 200, v, (change, n) => {
            attempt = `attempt ${n} (${change})`;
            q.status?.(attempt);
          });
        }
        q.done();
        if (m?.stopped) notes.push(`minimization stopped early (${boundText(m.stopped)}): the configuration shown is the smallest found so far`);
        if (m && m.params !== params) {
          finalParams = m.params;
          v = m.violation;
          minimization = { from: { ...params }, tried: m.tried, final: m.final, ...(m.stopped ? { stopped: m.stopped } : {}) };
        }
      }
    }
    const fmodel = factory.create(finalParams);
    const view = traceView(fmodel, v);
    const file = toTraceFile(factory.id, finalParams, view, reproduceCommand(factory, finalParams), minimization);
    if (json) {
      io.out(JSON.stringify({ ...base, verdict: 'violated', simulation: { ...r, violation: undefined, witnesses: undefined }, ...reachDoc, notes, counterexample: file }, null, 2));
    } else {
      io.out(`VIOLATED: ${v.property} (${summary})\n${notes.map((n) => `  ${n}`).join('\n')}${reachLines.length > 0 ? `\n${reachLines.join('\n')}` : ''}\n\n${renderTraceFile(file, view, io.outIsTty && !process.env['NO_COLOR'])}`);
    }
    writeOutputs(options, { file, view }, io);
    return EXIT.violated;
  },
};

/** The same simulation from run `next` on, for the runs that are left. */
function continueSimulation(argv: readonly string[], next: number, left: number): string | undefined {
  if (left <= 0) return undefined;
  const args = [...argv];
  for (const name of ['from-run', 'runs']) {
    const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i >= 0) args.splice(i, args[i]!.includes('=') ? 1 : 2);
  }
  return ['tlbcheck', 'simulate', ...args, '--from-run', String(next), '--runs', String(left)].map(shellQuote).join(' ');
}

function eraseLoops(model: Parameters<typeof loopErase>[0], v: { initial: number; path: readonly number[]; kind: string }): number[] {
  if (v.kind !== 'step') return loopErase(model, v.initial, v.path);
  // A step property may be met by a self-loop: keep the last step, erase loops before it.
  const prefix = loopErase(model, v.initial, v.path.slice(0, -1));
  return [...prefix, v.path[v.path.length - 1]!];
}
