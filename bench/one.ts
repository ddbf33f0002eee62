/**
 * Runs ONE tlbcheck configuration and prints one JSON line (a TlbcheckRun).
 * bench/run.ts starts a fresh process per configuration, so that peak RSS and
 * JIT warm-up belong to that configuration alone.
 *
 *   node --import tsx bench/one.ts <model-id> '<params json>' '<SearchOptions json, plus "workers">'
 *
 * workers > 1: the parallel breadth-first search (parallelBfs on worker
 * threads); "partition": "local": one partition of the partitioned search in
 * this process, without Redis (partition-local.ts); otherwise the sequential
 * check().
 */
import { check, type SearchOptions, type SearchResult } from '../src/engine/index.ts';
import type { ModelFactory, ParamValues } from '../src/engine/model.ts';
import { parallelBfs } from '../src/engine/parallel.ts';
import { findModel, MODEL_REGISTRY } from '../models/index.ts';
import { partitionLocal } from './partition-local.ts';
import type { TlbcheckRun } from './types.ts';

function parseObject(text: string | undefined, what: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text ?? '{}');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/** The given parameters completed with the factory's defaults, validated. */
function modelParams(factory: ModelFactory, given: Record<string, unknown>): ParamValues {
  const params: Record<string, number | boolean | string> = {};
  for (const p of factory.params) {
    const v = given[p.name] ?? p.default;
    if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'string') throw new Error(`param ${p.name}: bad value`);
    params[p.name] = v;
  }
  for (const name of Object.keys(given)) {
    if (!factory.params.some((p) => p.name === name)) throw new Error(`${factory.id} has no parameter ${name}`);
  }
  const invalid = factory.validate?.(params);
  if (invalid) throw new Error(invalid);
  return params;
}

/** Splits the bench's `workers` off the engine's SearchOptions. */
function searchOptions(given: Record<string, unknown>): { search: SearchOptions; workers: number } {
  const { workers = 1, ...rest } = given;
  if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1) throw new Error('options.workers: expected a positive integer');
  return { search: rest as SearchOptions, workers };
}

async function search(factory: ModelFactory, params: ParamValues, options: SearchOptions, workers: number): Promise<SearchResult> {
  const model = factory.create(params);
  if (workers <= 1) return check(model, options);
  return parallelBfs(model, { registry: MODEL_REGISTRY, model: factory.id, params }, { ...options, workers });
}

function verdictOf(r: SearchResult): string {
  if (r.verdict === 'violated') return `violated(${r.violations.map((v) => v.property).join(',')})`;
  return r.verdict === 'incomplete' ? `incomplete(${r.bound ?? '?'})` : r.verdict;
}

async function main(argv: readonly string[]): Promise<void> {
  const [id, paramsJson, optionsJson] = argv;
  const factory = id === undefined ? undefined : findModel(id);
  if (!factory) throw new Error(`unknown model ${String(id)}`);
  const params = modelParams(factory, parseObject(paramsJson, 'params'));
  const given = parseObject(optionsJson, 'options');
  if (given['partition'] !== undefined) {
    if (given['partition'] !== 'local') throw new Error('options.partition: only "local" (one partition in this process)');
    const { partition: _, ...rest } = given;
    process.stdout.write(`${JSON.stringify(await partitionLocal(factory, params, rest))}\n`);
    return;
  }
  const { search: options, workers } = searchOptions(given);
  const r = await search(factory, params, options, workers);
  const run: TlbcheckRun = {
    verdict: verdictOf(r),
    complete: r.complete,
    states: r.stats.states,
    transitions: r.stats.transitions,
    depth: r.stats.depth,
    seconds: r.stats.seconds,
    statesPerSecond: r.stats.statesPerSecond,
    bytesPerState: r.stats.bytesPerState,
    peakRssBytes: r.stats.peakRssBytes,
  };
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`bench/one.ts: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
