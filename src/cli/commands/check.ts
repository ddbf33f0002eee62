/** `tlbcheck check <model> [--param value ...]`: one exhaustive (or bounded) search. */
import { check } from '../../engine/check.ts';
import { defaultWorkers, parallelBfs } from '../../engine/parallel.ts';
import type { Model, ModelFactory, ParamValues } from '../../engine/model.ts';
import type { SearchOptions, SearchResult } from '../../engine/result.ts';
import { boundText, formatInt, formatReport, resultDocument, type Config } from '../../render/report.ts';
import { totalmem } from 'node:os';
import { traceView, witnessView, type TraceView } from '../../render/trace.ts';
import { counterexample, reproduceCommand } from '../../counterexample/generate.ts';
import { violationOf, witnessOf } from '../../counterexample/shrink.ts';
import { budgetOf, budgetStop } from '../../engine/budget.ts';
import { rowParams } from '../../suite/run.ts';
import type { SuiteRow } from '../../suite/suite.ts';
import { toTraceFile, type TraceFile } from '../../counterexample/format.ts';
import { renderTraceFile } from '../../counterexample/render-file.ts';
import { toItfTrace } from '../../counterexample/itf.ts';
import { renderHtml } from '../../render/html.ts';
import { checkOutputPaths, checkWritableDirectory, writeFileAtomic } from '../output.ts';
import { findModel, MODEL_REGISTRY, MODELS, SUITES } from '../../../models/index.ts';
import { listValue, parseArgs, paramOptions, paramValues, quote, shellQuote, UsageError, type OptionSpec } from '../args.ts';
import { EXIT, HELP_OPTION, type Command, type Io } from '../command.ts';
import { progressPrinter } from '../progress.ts';
import { clusterOf, counterexampleOnWorkers, PARTITIONS_OPTION, partitionedLines, partitionedSearch, REDIS_OPTION, shrinkingUnreachable } from './cluster.ts';
import type { PartitionedStats } from '../../cluster/partitioned.ts';

/** Options every search command understands. */
export const SEARCH_OPTIONS: readonly OptionSpec[] = [
  { name: 'strategy', kind: 'enum', values: ['bfs', 'dfs'], default: 'bfs', description: 'search order (bfs gives shortest counterexamples)' },
  { name: 'all', kind: 'bool', description: 'explore everything; report the shortest violation of each property' },
  { name: 'max-states', kind: 'int', min: 1, max: 4e9, description: 'stop (verdict incomplete) after this many distinct states' },
  { name: 'max-depth', kind: 'int', min: 0, max: 1e9, description: 'do not explore beyond this many steps (verdict incomplete if anything was cut)' },
  { name: 'time-limit', kind: 'number', min: 0.001, max: 1e7, valueName: 'seconds', description: 'stop (verdict incomplete) after this many seconds; covers the whole command (minimization too)' },
  { name: 'max-memory', kind: 'int', min: 16, max: 1 << 30, valueName: 'MiB', description: 'stop (verdict incomplete) before the process exceeds this resident size; covers minimization too', default: '60% of RAM' },
  { name: 'symmetry', kind: 'bool', default: true, description: 'hash one representative per symmetry class (where the model declares one)' },
  { name: 'deadlock', kind: 'bool', default: true, description: 'report non-final states with no enabled action (--no-deadlock to skip)' },
  { name: 'skip', kind: 'string', valueName: 'ids', description: 'comma-separated property ids not to check (invariants, deadlock or reachability)' },
  { name: 'por', kind: 'bool', description: 'partial-order reduction (ample sets) where the model declares independence; traces are re-minimised' },
  { name: 'workers', kind: 'int', min: 0, max: 64, default: 1, description: 'threads searching breadth-first, this one included (0: one per core)' },
  { name: 'fingerprint', kind: 'enum', values: ['64', '128'], default: '64', valueName: 'bits', description: 'fingerprint width; 128 doubles the visited set for a negligible collision estimate' },
  { name: 'spill-dir', kind: 'string', valueName: 'dir', description: 'where the BFS frontier spills once it outgrows a quarter of --max-memory (default: the temporary directory)' },
];

/** Where a counterexample can be written (check and simulate). */
export const TRACE_OUTPUT_OPTIONS: readonly OptionSpec[] = [
  { name: 'json', kind: 'bool', description: 'print one versioned JSON document on stdout' },
  { name: 'trace-out', kind: 'string', valueName: 'file', description: 'write the (first) counterexample, or else the first reachability witness, as a replayable trace file' },
  { name: 'html', kind: 'string', valueName: 'file', description: 'write the same trace as a self-contained HTML page' },
  { name: 'itf', kind: 'string', valueName: 'file', description: 'write the same trace in ITF (Apalache/Quint trace format)' },
  HELP_OPTION,
];

export const OUTPUT_OPTIONS: readonly OptionSpec[] = [
  { name: 'minimize', kind: 'bool', description: 'shrink the configuration to the smallest that violates the same property, and show that trace' },
  ...TRACE_OUTPUT_OPTIONS,
];

/** What the process needs before any search, beyond its resident size at start (and per worker thread). */
const START_HEADROOM_BYTES = 32 * 2 ** 20;
const WORKER_BYTES = 40 * 2 ** 20;

/**
 * Refuses a --max-memory the process cannot even start under: its resident
 * size now, plus room for the first tables, plus each worker thread.
 */
export function checkMemoryBound(maxMemoryBytes: number, workers: number): void {
  const need = process.memoryUsage.rss() + START_HEADROOM_BYTES + Math.max(0, workers) * WORKER_BYTES;
  if (maxMemoryBytes < need) {
    const mib = Math.ceil(need / 2 ** 20);
    throw new UsageError(`--max-memory ${Math.round(maxMemoryBytes / 2 ** 20)} MiB is below what tlbcheck needs to run at all (about ${mib} MiB${workers > 0 ? ` with ${workers} worker thread${workers === 1 ? '' : 's'}` : ''}): give at least ${mib}`);
  }
}

export function searchOptions(opts: Map<string, string | number | boolean>, knownProps: readonly string[], interrupt?: Int32Array): SearchOptions {
  const skip = opts.has('skip') ? listValue('skip', String(opts.get('skip'))) : [];
  for (const id of skip) {
    if (!knownProps.includes(id)) throw new UsageError(`--skip: unknown property ${quote(id)} (known: ${knownProps.join(', ')})`);
  }
  const o: SearchOptions = {
    strategy: (opts.get('strategy') as 'bfs' | 'dfs' | undefined) ?? 'bfs',
    all: (opts.get('all') as boolean | undefined) ?? false,
    symmetry: (opts.get('symmetry') as boolean | undefined) ?? true,
    checkDeadlock: (opts.get('deadlock') as boolean | undefined) ?? true,
    skip,
    partialOrder: (opts.get('por') as boolean | undefined) ?? false,
  };
  if (opts.has('max-states')) o.maxStates = opts.get('max-states') as number;
  if (opts.has('max-depth')) o.maxDepth = opts.get('max-depth') as number;
  if (opts.has('time-limit')) {
    o.timeLimitSeconds = opts.get('time-limit') as number;
    // The limit covers the whole command: every search after this one (minimization, re-searches) shares the deadline.
    o.deadline = Date.now() + o.timeLimitSeconds * 1000;
  }
  // A search never takes the machine down: by default it stops (incomplete) at 60% of physical memory.
  o.maxMemoryBytes = opts.has('max-memory') ? (opts.get('max-memory') as number) * 2 ** 20 : defaultMaxMemoryBytes();
  if (opts.has('max-memory')) {
    const w = (opts.get('workers') as number | undefined) ?? 1;
    // The search runs on this thread and workers - 1 more.
    checkMemoryBound(o.maxMemoryBytes, (w === 0 ? defaultWorkers() : w) - 1);
  }
  if (opts.get('fingerprint') === '128') o.fingerprintBits = 128;
  if (opts.has('spill-dir')) o.spillDir = checkWritableDirectory('spill-dir', String(opts.get('spill-dir')));
  if (interrupt) o.interrupt = interrupt;
  return o;
}

export function defaultMaxMemoryBytes(): number {
  return Math.floor((totalmem() * 0.6) / 2 ** 20) * 2 ** 20;
}

/** The largest --max-memory a continue command suggests: 90% of physical memory. */
function memoryCeilingMiB(): number {
  return Math.floor((totalmem() * 0.9) / 2 ** 20);
}

/**
 * The command line that continues a cut-short search: a larger bound (one that
 * actually lets it go further), or, after an interrupt, the same command (the
 * search restarts: there is no checkpoint). Undefined when no larger bound
 * exists (memory already near the machine's).
 */
export function continueCommand(prefix: readonly string[], argv: readonly string[], bound: string | undefined, o: SearchOptions): string | undefined {
  if (!bound) return undefined;
  const args = [...argv];
  if (bound !== 'interrupted' && bound !== 'worker-lost') {
    const curMiB = Math.round((o.maxMemoryBytes ?? 0) / 2 ** 20);
    const next: Record<string, string | undefined> = {
      'max-states': String((o.maxStates ?? 0) * 4),
      'max-depth': String(Math.max(1, (o.maxDepth ?? 0) * 2)),
      'time-limit': String((o.timeLimitSeconds ?? 0) * 4),
      'max-memory': Math.min(curMiB * 2, memoryCeilingMiB()) > curMiB ? String(Math.min(curMiB * 2, memoryCeilingMiB())) : undefined,
    };
    if (!(bound in next) || next[bound] === undefined) return undefined;
    const i = args.findIndex((a) => a === `--${bound}` || a.startsWith(`--${bound}=`));
    if (i >= 0) args.splice(i, args[i]!.includes('=') ? 1 : 2);
    args.push(`--${bound}`, next[bound]!);
  }
  return ['tlbcheck', ...prefix, ...args].map(shellQuote).join(' ');
}

/**
 * The command line as typed, with the model's key parameters (backend, path)
 * written out when they were left at their defaults, so a printed command
 * names them (a --row command is already exact).
 */
export function withKeyParams(factory: ModelFactory, params: ParamValues, argv: readonly string[], row: boolean): string[] {
  if (row || argv.length === 0) return [...argv];
  const p = factory.normalize ? factory.normalize(params) : params;
  const missing = (factory.keyParams ?? []).filter((k) => !argv.some((a) => a === `--${k}` || a.startsWith(`--${k}=`)) && p[k] !== undefined && p[k] !== 'auto');
  return [argv[0]!, ...missing.flatMap((k) => [`--${k}`, String(p[k])]), ...argv.slice(1)];
}

/** Resolves `<model>` and its parameters (or a suite row, with --row) from the command line. */
export function resolveModel(argv: readonly string[], extra: readonly OptionSpec[]): {
  factory: ModelFactory;
  params: ParamValues;
  options: Map<string, string | number | boolean>;
  row?: { id: string; options: SearchOptions };
} {
  const rowArg = argv.findIndex((a) => a === '--row' || a.startsWith('--row='));
  if (rowArg >= 0 && extra.some((s) => s.name === 'row')) {
    const id = argv[rowArg]!.includes('=') ? argv[rowArg]!.slice('--row='.length) : argv[rowArg + 1];
    if (id === undefined || id === '') throw new UsageError("option '--row' needs a row id (see `tlbcheck matrix`)");
    const found = findRow(id);
    const factory = findModel(found.row.model);
    if (!factory) throw new UsageError(`row ${quote(id)} names an unknown model ${quote(found.row.model)}`);
    const rest = argv[0] !== undefined && !argv[0].startsWith('-') ? argv.slice(1) : argv;
    if (rest !== argv && argv[0] !== factory.id) throw new UsageError(`row ${quote(id)} is a ${factory.id} row, not ${quote(argv[0]!)}`);
    const parsed = parseArgs(rest, [...paramOptions(factory.params), ...extra]);
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${quote(parsed.positionals[0]!)}`);
    const given = factory.params.filter((p) => parsed.options.has(p.name)).map((p) => `--${p.name}`);
    if (given.length > 0) throw new UsageError(`--row fixes every model parameter: drop ${given.join(', ')} (or check the model without --row)`);
    const params = rowParams(factory, found.row);
    const problem = factory.validate?.(params);
    if (problem) throw new UsageError(`row ${quote(id)}: ${problem}`);
    return { factory, params, options: parsed.options, row: { id, options: found.options } };
  }
  const id = argv[0];
  if (id === undefined || id.startsWith('-')) {
    const takesRow = extra.some((s) => s.name === 'row');
    const rowGiven = argv.some((a) => a === '--row' || a.startsWith('--row='));
    throw new UsageError(`missing model name (one of: ${MODELS.map((m) => m.id).join(', ')})${takesRow ? ', or --row ID' : rowGiven ? ': --row is an option of check only' : ''}`);
  }
  const factory = findModel(id);
  if (!factory) throw new UsageError(`unknown model ${quote(id)} (known: ${MODELS.map((m) => m.id).join(', ')})`);
  const specs = [...paramOptions(factory.params), ...extra];
  const parsed = parseArgs(argv.slice(1), specs);
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${quote(parsed.positionals[0]!)}`);
  const params = paramValues(factory.params, parsed.options);
  // Help is still help for a request that would be refused.
  const problem = factory.validate?.(params) ?? (parsed.options.has('help') ? undefined : factory.validateRequest?.(params));
  if (problem) throw new UsageError(problem);
  return { factory, params, options: parsed.options };
}

/** The command-line option of each search option a suite may set. */
const OPTION_OF = { maxStates: 'max-states', maxDepth: 'max-depth', checkDeadlock: 'deadlock', strategy: 'strategy', partialOrder: 'por' } as const;

/** A row of any registered suite, by its exact id. */
function findRow(id: string): { row: SuiteRow; options: SearchOptions } {
  for (const s of SUITES) {
    const suite = s.build();
    const row = suite.rows.find((r) => r.id === id);
    if (row) return { row, options: suite.options };
  }
  const near = SUITES.flatMap((s) => s.build().rows.map((r) => r.id)).filter((r) => r.includes(id));
  throw new UsageError(`no suite row ${quote(id)}${near.length > 0 ? ` (rows containing it: ${near.slice(0, 3).join(', ')}${near.length > 3 ? ', ...' : ''})` : ' (see `tlbcheck matrix` for the ids)'}`);
}

export function configOf(params: ParamValues, o: SearchOptions): Config {
  const c: Config = { ...params, strategy: o.strategy ?? 'bfs', all: o.all ?? false, symmetry: o.symmetry ?? true };
  if (o.maxStates !== undefined) c['max-states'] = o.maxStates;
  if (o.maxDepth !== undefined) c['max-depth'] = o.maxDepth;
  if (o.timeLimitSeconds !== undefined) c['time-limit'] = o.timeLimitSeconds;
  if (o.maxMemoryBytes !== undefined) c['max-memory'] = Math.round(o.maxMemoryBytes / 2 ** 20);
  if (o.skip && o.skip.length > 0) c['skip'] = o.skip.join(',');
  if (o.checkDeadlock === false) c['deadlock'] = false;
  if (o.partialOrder) c['por'] = true;
  return c;
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'exhaustively check one model configuration (or one suite row, with --row)',
  usage: 'tlbcheck check <model> [--param value ...] [options]  |  tlbcheck check --row ID [options]',
  details:
    'Model parameters are listed by `tlbcheck list` and by `tlbcheck check <model> --help`. With --row ID the\n' +
    'configuration is exactly that matrix row\'s (its parameters and search options, --all included).\n' +
    'Reachability ("sometimes") properties are reported as reached (with a witness), unreachable (the search was\n' +
    'complete) or unknown; they never change the verdict or the exit code.\n' +
    'Exit codes: 0 every property holds, 1 a property is violated, 2 usage or input error,\n' +
    '3 incomplete (a bound, a limit or an interrupt cut the search short: nothing is proved).',
  options: [...SEARCH_OPTIONS, REDIS_OPTION, PARTITIONS_OPTION, { name: 'row', kind: 'string', valueName: 'id', description: "check exactly this suite row's configuration (ids as `tlbcheck matrix` prints them)" }, ...OUTPUT_OPTIONS],
  async run(argv: readonly string[], io: Io): Promise<number> {
    const prepared = prepareModel(this, argv, io);
    if (!prepared) return EXIT.holds;
    const { factory, params, options, o, model } = prepared;
    const progress = progressPrinter(io, `${factory.id}: `);
    const workers = (options.get('workers') as number | undefined) ?? 1;
    const searchOpts = { ...o, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) };
    if (workers !== 1 && o.strategy === 'dfs') throw new UsageError('--workers applies to breadth-first search only (drop --strategy dfs)');
    const cluster = clusterOf(options, o);
    // Accepted and then unused, an unreachable --redis would go unnoticed: say what it is for instead.
    if (cluster && cluster.partitions === undefined && options.get('minimize') !== true) throw new UsageError('--redis is used with --partitions K (a search on the workers) or --minimize (shrinking on the workers); without either, check runs here: drop --redis or add one');
    if (workers !== 1 && o.fingerprintBits === 128) throw new UsageError('--fingerprint 128 runs on one worker (the parallel search keeps 64-bit fingerprints): drop --workers');
    let result: SearchResult & { partitioned?: PartitionedStats } =
      cluster?.partitions !== undefined
        ? await partitionedSearch(model, factory, params, searchOpts, cluster, io)
        : workers === 1
          ? check(model, searchOpts)
          : await parallelBfs(model, { registry: MODEL_REGISTRY, model: factory.id, params }, { ...searchOpts, workers: workers === 0 ? defaultWorkers() : workers });
    progress.done();
    // Every later search of this command shares its bounds (deadline, memory, interrupt).
    const budget = budgetOf(o);
    const phase = (name: string) => progressPrinter(io, `${factory.id}: ${name}: `);
    if (o.partialOrder && (result.violations.length > 0 || result.witnesses.length > 0)) {
      // Ample sets keep violations and witnesses but not their shortest paths: search again, without the reduction, up to that length.
      const p = phase('shortest traces without the reduction');
      const again = { ...budget, symmetry: o.symmetry ?? true, ...(p.onProgress ? { onProgress: p.onProgress } : {}) };
      result = {
        ...result,
        violations: result.violations.map((v) => violationOf(factory, params, v.property, { ...again, maxDepth: v.path.length }).violation ?? v),
        witnesses: result.witnesses.map((w) => witnessOf(factory, params, w.property, { ...again, maxDepth: w.path.length }).witness ?? w),
      };
      p.done();
    }
    const color = io.outIsTty && !process.env['NO_COLOR'];
    const json = options.get('json') === true;
    const first = result.violations[0];
    const minimizing = first !== undefined && options.get('minimize') === true;
    // With --minimize the trace shown (and saved) is the one in the smallest violating configuration.
    let saved: { file: TraceFile; view: TraceView } | undefined;
    let minimizeNote: string | undefined;
    if (minimizing && result.bound !== 'interrupted') {
      const p = phase('minimizing');
      let attempt = '';
      const onAttempt = (change: string, n: number): void => {
        attempt = `attempt ${n} (${change})`;
        p.status?.(attempt);
      };
      const known = o.strategy !== 'dfs' ? first : undefined;
      const c = cluster
        ? await counterexampleOnWorkers(cluster, factory, params, first!.property, budget, known, p.status).catch((e: unknown) => {
            minimizeNote = `not minimized (${shrinkingUnreachable(e)}): the trace shown is in the configuration checked`;
            return undefined;
          })
        : counterexample(factory, params, first!.property, true, { ...budget, ...(p.onProgress ? { onProgress: (x) => p.onProgress!(x, attempt) } : {}) }, known, onAttempt);
      p.done();
      if (c) {
        saved = { file: c.file, view: c.view };
        if (c.stopped) minimizeNote = `minimization stopped early (${boundText(c.stopped)}): the configuration shown is the smallest found so far`;
      }
    }
    if (!saved && first) {
      const view = traceView(model, first);
      saved = { view, file: toTraceFile(factory.id, params, view, reproduceCommand(factory, params), undefined, factory.branches?.(params)) };
      if (minimizing && !minimizeNote) minimizeNote = `not minimized (${boundText(budgetStop(budget) ?? result.bound ?? null)}): the trace shown is in the configuration checked`;
    }
    const witnessTraces = result.witnesses.map((w) => witnessView(model, w));
    if (!saved && witnessTraces[0]) {
      const w = witnessTraces[0];
      saved = { view: w, file: toTraceFile(factory.id, params, w, reproduceCommand(factory, params)) };
    }
    const traces = result.violations.map((v) => (v === first && saved && !minimizing ? saved.view : traceView(model, v)));
    const doc = resultDocument(model, factory.id, configOf(params, o), result, traces, witnessTraces);
    const cont = result.bound !== undefined && (result.verdict === 'incomplete' || result.bound === 'interrupted' || result.bound === 'worker-lost') ? continueCommand(['check'], withKeyParams(factory, params, argv, prepared.row !== undefined), result.bound, o) : undefined;
    const reproduce = prepared.row ? `tlbcheck check --row ${shellQuote(prepared.row.id)}` : undefined;
    if (json) {
      io.out(
        JSON.stringify(
          {
            ...doc,
            ...(reproduce ? { row: prepared.row!.id } : {}),
            ...(cont ? { continue: cont } : {}),
            ...(saved && minimizing ? { minimized: saved.file } : {}),
            ...(minimizeNote ? { notes: [minimizeNote] } : {}),
            ...(result.partitioned ? { partitioned: result.partitioned } : {}),
          },
          null,
          2,
        ),
      );
    } else {
      if (reproduce) io.out(`row         ${prepared.row!.id}`);
      io.out(formatReport(doc, minimizing ? [] : traces, color, witnessTraces));
      if (result.partitioned) io.out(partitionedLines(result.partitioned).join('\n'));
      if (result.bound !== undefined && (result.verdict === 'incomplete' || result.bound === 'interrupted')) {
        const covered = `covered ${formatInt(doc.stats.states)} states to depth ${doc.stats.depth}`;
        if (result.bound === 'interrupted') io.out(`${covered}; interrupted. To run it again (the search starts over; there is no checkpoint): ${cont}`);
        else if (result.bound === 'worker-lost') io.out(`${covered}; ${result.partitioned?.redisLost ? 'Redis was' : 'a worker was'} lost. To run it again (the search starts over, with every worker): ${cont}`);
        else if (cont) io.out(`${covered}; to go further: ${cont}`);
        else io.out(`${covered}; no larger --${result.bound} fits this machine: try a smaller configuration, --symmetry, or simulate`);
      }
      if (minimizeNote) io.out(minimizeNote);
      if (saved && minimizing) io.out(`\nminimized counterexample:\n${renderTraceFile(saved.file, saved.view, color)}`);
    }
    if (saved) writeOutputs(options, saved, io);
    else for (const k of ['trace-out', 'html', 'itf']) if (options.has(k)) io.err(`tlbcheck: no violation or witness, so no --${k} file was written\n`);
    // A violation found before a bound or an interrupt is real (exit 1); otherwise a search cut short is incomplete (exit 3).
    return EXIT[result.verdict];
  },
};

/**
 * What `check` and `simulate` start with: the model and its parameters, the
 * search options, the built model; undefined when --help was printed instead.
 * Output paths are checked here, before any search.
 */
export function prepareModel(
  cmd: Command,
  argv: readonly string[],
  io: Io,
): { factory: ModelFactory; params: ParamValues; options: Map<string, string | number | boolean>; o: SearchOptions; model: Model; row?: { id: string } } | undefined {
  const { factory, params, options, row } = resolveModel(argv, cmd.options);
  if (options.get('help')) {
    io.out(modelHelp(factory, cmd));
    return undefined;
  }
  const known = [...factory.properties.map((p) => p.id), 'deadlock'];
  let o = searchOptions(options, known, io.interrupt);
  // A row runs with exactly its suite's search options (--all for the matrix; the engine's defaults
  // otherwise, so symmetry is off unless the suite turns it on), except those the command line gives.
  if (row) {
    o = { ...o, all: row.options.all ?? false, symmetry: row.options.symmetry ?? false };
    if (options.has('all')) o.all = options.get('all') as boolean;
    if (options.has('symmetry')) o.symmetry = options.get('symmetry') as boolean;
    for (const k of ['maxStates', 'maxDepth', 'checkDeadlock', 'strategy', 'partialOrder'] as const) {
      const v = row.options[k];
      if (v !== undefined && !options.has(OPTION_OF[k])) (o as Record<string, unknown>)[k] = v;
    }
  }
  checkTraceOutputs(options);
  return { factory, params, options, o, model: factory.create(params), ...(row ? { row: { id: row.id } } : {}) };
}

export function modelHelp(factory: ModelFactory, cmd: Command): string {
  const params = factory.params
    .map((p) => {
      const range = p.kind === 'int' ? ` [${p.min ?? ''}..${p.max ?? ''}]` : p.kind === 'enum' ? ` (${p.values!.join('|')})` : '';
      return `  --${p.name.padEnd(22)} ${p.description}${range} (default ${String(p.default)})`;
    })
    .join('\n');
  return `${factory.id}: ${factory.summary}\n\nusage: ${cmd.usage.replace('<model>', factory.id)}\n\nparameters:\n${params || '  (none)'}\n\nproperties:\n${factory.properties.map((p) => `  ${p.id.padEnd(24)} ${p.kind === 'sometimes' ? '(sometimes: reachable?) ' : ''}${p.statement}`).join('\n')}\n\nrun \`tlbcheck check --help\` for the search options`;
}

/** The trace output options given, checked before any search: writable, distinct, not directories (and not one of `inputs`). */
export function checkTraceOutputs(options: Map<string, string | number | boolean>, inputs: readonly string[] = []): void {
  const outs = ['trace-out', 'html', 'itf'].filter((k) => options.has(k)).map((k) => ({ option: k, path: String(options.get(k)) }));
  checkOutputPaths(outs, inputs);
}

/** Writes --trace-out, --html and --itf (each atomically); an unwritable path is an input error. */
export function writeOutputs(options: Map<string, string | number | boolean>, saved: { file: TraceFile; view: TraceView }, io: Io): void {
  const write = (opt: string, content: string): void => {
    const path = options.get(opt) as string | undefined;
    if (path === undefined) return;
    try {
      writeFileAtomic(path, content);
    } catch (e) {
      throw new UsageError(`--${opt}: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    io.err(`wrote ${path}\n`);
  };
  write('trace-out', `${JSON.stringify(saved.file, null, 2)}\n`);
  write('html', renderHtml(saved.view, { title: `${saved.file.model}: ${saved.file.property}`, config: saved.file.params, command: saved.file.command }));
  write('itf', `${JSON.stringify(toItfTrace(saved.view, saved.file.command), null, 2)}\n`);
}
