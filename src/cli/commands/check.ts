/** `tlbcheck check <model> [--param value ...]`: one exhaustive (or bounded) search. */
import { check } from '../../engine/check.ts';
import { defaultWorkers, parallelBfs } from '../../engine/parallel.ts';
import type { Model, ModelFactory, ParamValues } from '../../engine/model.ts';
import type { SearchOptions } from '../../engine/result.ts';
import { formatInt, formatReport, resultDocument, type Config } from '../../render/report.ts';
import { totalmem } from 'node:os';
import { traceView, type TraceView } from '../../render/trace.ts';
import { counterexample, reproduceCommand } from '../../counterexample/generate.ts';
import { violationOf } from '../../counterexample/shrink.ts';
import { toTraceFile, type TraceFile } from '../../counterexample/format.ts';
import { renderTraceFile } from '../../counterexample/render-file.ts';
import { toItfTrace } from '../../counterexample/itf.ts';
import { renderHtml } from '../../render/html.ts';
import { checkOutputPaths, writeFileAtomic } from '../output.ts';
import { findModel, MODEL_REGISTRY, MODELS } from '../../../models/index.ts';
import { listValue, parseArgs, paramOptions, paramValues, quote, UsageError, type OptionSpec } from '../args.ts';
import { EXIT, HELP_OPTION, type Command, type Io } from '../command.ts';
import { progressPrinter } from '../progress.ts';

/** Options every search command understands. */
export const SEARCH_OPTIONS: readonly OptionSpec[] = [
  { name: 'strategy', kind: 'enum', values: ['bfs', 'dfs'], default: 'bfs', description: 'search order (bfs gives shortest counterexamples)' },
  { name: 'all', kind: 'bool', description: 'explore everything; report the shortest violation of each property' },
  { name: 'max-states', kind: 'int', min: 1, max: 4e9, description: 'stop (verdict incomplete) after this many distinct states' },
  { name: 'max-depth', kind: 'int', min: 0, max: 1e9, description: 'do not explore beyond this many steps (verdict incomplete if anything was cut)' },
  { name: 'time-limit', kind: 'number', min: 0.001, max: 1e7, valueName: 'seconds', description: 'stop (verdict incomplete) after this many seconds' },
  { name: 'max-memory', kind: 'int', min: 16, max: 1 << 30, valueName: 'MiB', description: 'stop (verdict incomplete) before the process exceeds this resident size', default: '60% of RAM' },
  { name: 'symmetry', kind: 'bool', default: true, description: 'hash one representative per symmetry class (where the model declares one)' },
  { name: 'deadlock', kind: 'bool', default: true, description: 'report non-final states with no enabled action (--no-deadlock to skip)' },
  { name: 'skip', kind: 'string', valueName: 'ids', description: 'comma-separated property ids not to check' },
  { name: 'por', kind: 'bool', description: 'partial-order reduction (ample sets) where the model declares independence; traces are re-minimised' },
  { name: 'workers', kind: 'int', min: 0, max: 256, default: 1, description: 'worker threads for the breadth-first search (0: one per core)' },
];

/** Where a counterexample can be written (check and simulate). */
export const TRACE_OUTPUT_OPTIONS: readonly OptionSpec[] = [
  { name: 'json', kind: 'bool', description: 'print one versioned JSON document on stdout' },
  { name: 'trace-out', kind: 'string', valueName: 'file', description: 'write the (first) counterexample as a replayable trace file' },
  { name: 'html', kind: 'string', valueName: 'file', description: 'write the (first) counterexample as a self-contained HTML page' },
  { name: 'itf', kind: 'string', valueName: 'file', description: 'write the (first) counterexample in ITF (Apalache/Quint trace format)' },
  HELP_OPTION,
];

export const OUTPUT_OPTIONS: readonly OptionSpec[] = [
  { name: 'minimize', kind: 'bool', description: 'shrink the configuration to the smallest that violates the same property, and show that trace' },
  ...TRACE_OUTPUT_OPTIONS,
];

export function searchOptions(opts: Map<string, string | number | boolean>, knownProps: readonly string[]): SearchOptions {
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
  if (opts.has('time-limit')) o.timeLimitSeconds = opts.get('time-limit') as number;
  // A search never takes the machine down: by default it stops (incomplete) at 60% of physical memory.
  o.maxMemoryBytes = opts.has('max-memory') ? (opts.get('max-memory') as number) * 2 ** 20 : defaultMaxMemoryBytes();
  return o;
}

export function defaultMaxMemoryBytes(): number {
  return Math.floor((totalmem() * 0.6) / 2 ** 20) * 2 ** 20;
}

/** The command line that continues a cut-short search with a larger bound. */
export function continueCommand(argv: readonly string[], bound: string | undefined, o: SearchOptions): string | undefined {
  const next: Record<string, string> = {
    'max-states': String((o.maxStates ?? 0) * 4),
    'max-depth': String((o.maxDepth ?? 0) * 2),
    'time-limit': String((o.timeLimitSeconds ?? 0) * 4),
    'max-memory': String(Math.round(((o.maxMemoryBytes ?? 0) / 2 ** 20) * 2)),
  };
  if (!bound || !(bound in next)) return undefined;
  const args = [...argv];
  const i = args.findIndex((a) => a === `--${bound}` || a.startsWith(`--${bound}=`));
  if (i >= 0) args.splice(i, args[i]!.includes('=') ? 1 : 2);
  return ['tlbcheck', 'check', ...args, `--${bound}`, next[bound]!].join(' ');
}

/** Resolves `<model>` and its parameters from the command line. */
export function resolveModel(argv: readonly string[], extra: readonly OptionSpec[]): {
  factory: ModelFactory;
  params: ParamValues;
  options: Map<string, string | number | boolean>;
} {
  const id = argv[0];
  if (id === undefined || id.startsWith('-')) throw new UsageError(`missing model name (one of: ${MODELS.map((m) => m.id).join(', ')})`);
  const factory = findModel(id);
  if (!factory) throw new UsageError(`unknown model ${quote(id)} (known: ${MODELS.map((m) => m.id).join(', ')})`);
  const specs = [...paramOptions(factory.params), ...extra];
  const parsed = parseArgs(argv.slice(1), specs);
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${quote(parsed.positionals[0]!)}`);
  const params = paramValues(factory.params, parsed.options);
  const problem = factory.validate?.(params);
  if (problem) throw new UsageError(problem);
  return { factory, params, options: parsed.options };
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
  summary: 'exhaustively check one model configuration',
  usage: 'tlbcheck check <model> [--param value ...] [options]',
  details:
    'Model parameters are listed by `tlbcheck list` and by `tlbcheck check <model> --help`.\n' +
    'Exit codes: 0 every property holds, 1 a property is violated, 2 usage or input error,\n' +
    '3 incomplete (a bound or limit cut the search short: nothing is proved).',
  options: [...SEARCH_OPTIONS, ...OUTPUT_OPTIONS],
  async run(argv: readonly string[], io: Io): Promise<number> {
    const prepared = prepareModel(this, argv, io);
    if (!prepared) return EXIT.holds;
    const { factory, params, options, o, model } = prepared;
    const progress = progressPrinter(io, `${factory.id}: `);
    const workers = (options.get('workers') as number | undefined) ?? 1;
    const searchOpts = { ...o, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) };
    if (workers !== 1 && o.strategy === 'dfs') throw new UsageError('--workers applies to breadth-first search only (drop --strategy dfs)');
    let result =
      workers === 1
        ? check(model, searchOpts)
        : await parallelBfs(model, { registry: MODEL_REGISTRY, model: factory.id, params }, { ...searchOpts, workers: workers === 0 ? defaultWorkers() : workers });
    progress.done();
    if (o.partialOrder && result.violations.length > 0) {
      // Ample sets keep violations but not their shortest traces: search again, without the reduction, up to that length.
      result = {
        ...result,
        violations: result.violations.map((v) => violationOf(factory, params, v.property, { maxDepth: v.path.length, symmetry: o.symmetry ?? true }).violation ?? v),
      };
    }
    const color = io.outIsTty && !process.env['NO_COLOR'];
    const json = options.get('json') === true;
    const first = result.violations[0];
    // With --minimize the trace shown (and saved) is the one in the smallest violating configuration.
    let saved: { file: TraceFile; view: TraceView } | undefined;
    if (first && options.get('minimize')) {
      saved = counterexample(factory, params, first.property, true);
    } else if (first) {
      const view = traceView(model, first);
      saved = { view, file: toTraceFile(factory.id, params, view, reproduceCommand(factory, params)) };
    }
    const traces = result.violations.map((v) => (v === first && saved && !options.get('minimize') ? saved.view : traceView(model, v)));
    const doc = resultDocument(model, factory.id, configOf(params, o), result, traces);
    const cont = result.verdict === 'incomplete' ? continueCommand(argv, result.bound, o) : undefined;
    if (json) {
      io.out(JSON.stringify({ ...doc, ...(cont ? { continue: cont } : {}), ...(saved && options.get('minimize') ? { minimized: saved.file } : {}) }, null, 2));
    } else {
      io.out(formatReport(doc, options.get('minimize') ? [] : traces, color));
      if (cont) io.out(`covered ${formatInt(doc.stats.states)} states to depth ${doc.stats.depth}; to go further: ${cont}`);
      if (saved && options.get('minimize')) io.out(`\nminimized counterexample:\n${renderTraceFile(saved.file, saved.view, color)}`);
    }
    if (saved) writeOutputs(options, saved, io);
    else for (const k of ['trace-out', 'html', 'itf']) if (options.has(k)) io.err(`tlbcheck: no violation, so no --${k} file was written\n`);
    return EXIT[result.verdict];
  },
};

/**
 * What `check` and `simulate` start with: the model and its parameters, the
 * search options, the built model; undefined when --help was printed instead.
 */
export function prepareModel(
  cmd: Command,
  argv: readonly string[],
  io: Io,
): { factory: ModelFactory; params: ParamValues; options: Map<string, string | number | boolean>; o: SearchOptions; model: Model } | undefined {
  const { factory, params, options } = resolveModel(argv, cmd.options);
  if (options.get('help')) {
    io.out(modelHelp(factory, cmd));
    return undefined;
  }
  const o = searchOptions(options, [...factory.properties.map((p) => p.id), 'deadlock']);
  checkTraceOutputs(options);
  return { factory, params, options, o, model: factory.create(params) };
}

export function modelHelp(factory: ModelFactory, cmd: Command): string {
  const params = factory.params
    .map((p) => {
      const range = p.kind === 'int' ? ` [${p.min ?? ''}..${p.max ?? ''}]` : p.kind === 'enum' ? ` (${p.values!.join('|')})` : '';
      return `  --${p.name.padEnd(22)} ${p.description}${range} (default ${String(p.default)})`;
    })
    .join('\n');
  return `${factory.id}: ${factory.summary}\n\nusage: ${cmd.usage.replace('<model>', factory.id)}\n\nparameters:\n${params || '  (none)'}\n\nproperties:\n${factory.properties.map((p) => `  ${p.id.padEnd(24)} ${p.statement}`).join('\n')}\n\nrun \`tlbcheck check --help\` for the search options`;
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
