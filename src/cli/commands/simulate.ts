/** `tlbcheck simulate <model> ...`: seeded random (optionally swarm) simulation, then minimization of what it finds. */
import { loopErase, simulate } from '../../engine/simulate.ts';
import type { Violation } from '../../engine/result.ts';
import { minimize, violationOf } from '../../counterexample/shrink.ts';
import { reproduceCommand } from '../../counterexample/generate.ts';
import { toTraceFile } from '../../counterexample/format.ts';
import { renderTraceFile } from '../../counterexample/render-file.ts';
import { traceView } from '../../render/trace.ts';
import { formatInt, JSON_FORMAT_VERSION, TOOL_VERSION } from '../../render/report.ts';
import type { OptionSpec } from '../args.ts';
import { EXIT, type Command, type Io } from '../command.ts';
import { configOf, prepareModel, TRACE_OUTPUT_OPTIONS, writeOutputs } from './check.ts';

const SIM_OPTIONS: readonly OptionSpec[] = [
  { name: 'seed', kind: 'string', valueName: 'seed', default: '1', description: 'seed of the first run (run i uses "<seed>:<i>")' },
  { name: 'runs', kind: 'int', min: 1, max: 1e9, default: 1000, description: 'random walks' },
  { name: 'depth', kind: 'int', min: 1, max: 1e7, default: 200, description: 'steps per walk at most' },
  { name: 'swarm', kind: 'bool', description: 'each run schedules a random subset of the agents' },
  { name: 'time-limit', kind: 'number', min: 0.001, max: 1e7, valueName: 'seconds', description: 'stop after this many seconds' },
  { name: 'minimize-states', kind: 'int', min: 1, max: 1e9, default: 2_000_000, description: 'state budget of each search used to minimize a violation' },
  { name: 'no-minimize', kind: 'bool', description: 'report the random walk as found (loop-erased), without searching for a shorter one' },
  { name: 'deadlock', kind: 'bool', default: true, description: 'report stuck non-final states (--no-deadlock to skip)' },
  { name: 'skip', kind: 'string', valueName: 'ids', description: 'comma-separated property ids not to check' },
  ...TRACE_OUTPUT_OPTIONS,
];

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'random (swarm) simulation for configurations too large to exhaust; finding nothing proves nothing',
  usage: 'tlbcheck simulate <model> [--param value ...] [--seed S] [--runs K] [--depth D] [--swarm]',
  details:
    'The same seed gives the same result. A violation is reported with the seed of the run that found it, then\n' +
    'minimized: loops are cut out of the walk, a breadth-first search bounded by its length looks for the\n' +
    'shortest trace, and the configuration is shrunk. Exit 1 on a violation, 3 when none was found\n' +
    '(simulation is not a proof), 2 on bad input.',
  options: SIM_OPTIONS,
  async run(argv: readonly string[], io: Io): Promise<number> {
    const prepared = prepareModel(this, argv, io);
    if (!prepared) return EXIT.holds;
    const { factory, params, options, o, model } = prepared;
    const seed = String(options.get('seed') ?? '1');
    const r = simulate(model, {
      seed,
      runs: (options.get('runs') as number | undefined) ?? 1000,
      depth: (options.get('depth') as number | undefined) ?? 200,
      swarm: options.get('swarm') === true,
      checkDeadlock: o.checkDeadlock ?? true,
      skip: o.skip ?? [],
      ...(options.has('time-limit') ? { timeLimitSeconds: options.get('time-limit') as number } : {}),
    });
    const summary = `${formatInt(r.runs)} runs, ${formatInt(r.steps)} steps, ${formatInt(r.distinctStates)} distinct states seen, ${r.seconds.toFixed(2)} s`;
    if (!r.violation) {
      const why = r.stopped === 'time-limit' ? ' (the time limit was reached)' : '';
      if (options.get('json')) {
        io.out(JSON.stringify({ version: JSON_FORMAT_VERSION, tool: `tlbcheck ${TOOL_VERSION}`, model: factory.id, config: { ...configOf(params, o), seed }, verdict: 'incomplete', simulation: r }, null, 2));
      } else {
        io.out(`no violation found in ${summary}${why}.\nSimulation explores a sample of the behaviours: finding nothing proves nothing. Use \`tlbcheck check\` for a proof.`);
      }
      return EXIT.incomplete;
    }
    // Minimize: loop erasure, then the shortest trace within the walk's length, then a smaller configuration.
    const found = r.violation;
    const budget = (options.get('minimize-states') as number | undefined) ?? 2_000_000;
    let v: Violation = eraseLoops(model, found);
    const notes = [`found by run ${r.run} (seed "${r.runSeed}"${r.agents && r.agents.length < model.agents.length ? `, scheduling ${r.agents.join(', ')}` : ''}) after ${found.path.length} steps; ${v.path.length} after removing loops`];
    let finalParams = params;
    let minimization;
    if (!options.get('no-minimize')) {
      const bfs = violationOf(factory, params, v.property, { maxDepth: v.path.length, maxStates: budget });
      if (bfs.violation && bfs.violation.path.length <= v.path.length) {
        v = bfs.violation;
        notes.push(`shortest in this configuration: ${v.path.length} steps`);
      } else notes.push(`the bounded search for a shorter trace was cut short (${bfs.result.bound ?? 'no result'}); keeping the walk`);
      const m = minimize(factory, params, v.property, { maxStates: budget }, 200, v);
      if (m && m.params !== params) {
        finalParams = m.params;
        v = m.violation;
        minimization = { from: { ...params }, tried: m.tried, final: m.final };
      }
    }
    const fmodel = factory.create(finalParams);
    const view = traceView(fmodel, v);
    const file = toTraceFile(factory.id, finalParams, view, reproduceCommand(factory, finalParams), minimization);
    if (options.get('json')) {
      io.out(JSON.stringify({ version: JSON_FORMAT_VERSION, tool: `tlbcheck ${TOOL_VERSION}`, model: factory.id, config: { ...configOf(params, o), seed }, verdict: 'violated', simulation: { ...r, violation: undefined }, notes, counterexample: file }, null, 2));
    } else {
      io.out(`VIOLATED: ${v.property} (${summary})\n${notes.map((n) => `  ${n}`).join('\n')}\n\n${renderTraceFile(file, view, io.outIsTty && !process.env['NO_COLOR'])}`);
    }
    writeOutputs(options, { file, view }, io);
    return EXIT.violated;
  },
};

function eraseLoops(model: Parameters<typeof loopErase>[0], v: Violation): Violation {
  if (v.kind !== 'step') return { ...v, path: loopErase(model, v.initial, v.path) };
  // A step violation may be a self-loop: keep the violating step, erase loops before it.
  const prefix = loopErase(model, v.initial, v.path.slice(0, -1));
  return { ...v, path: [...prefix, v.path[v.path.length - 1]!] };
}
