/**
 * Runs ONE tlbcheck configuration and prints one JSON line (a TlbcheckRun).
 * bench/run.ts starts a fresh process per configuration, so that peak RSS and
 * JIT warm-up belong to that configuration alone.
 *
 *   node --import tsx bench/one.ts <model-id> '<params json>' '<SearchOptions json>'
 */
import { check, type SearchOptions } from '../src/engine/index.ts';
import type { ParamValues } from '../src/engine/model.ts';
import { findModel } from '../models/index.ts';
import type { TlbcheckRun } from './types.ts';

function parseObject(text: string | undefined, what: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text ?? '{}');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what}: expected a JSON object`);
  return value as Record<string, unknown>;
}

function main(argv: readonly string[]): void {
  const [id, paramsJson, optionsJson] = argv;
  const factory = id === undefined ? undefined : findModel(id);
  if (!factory) throw new Error(`unknown model ${String(id)}`);
  const given = parseObject(paramsJson, 'params');
  const params: Record<string, number | boolean | string> = {};
  for (const p of factory.params) {
    const v = given[p.name] ?? p.default;
    if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'string') throw new Error(`param ${p.name}: bad value`);
    params[p.name] = v;
  }
  for (const name of Object.keys(given)) {
    if (!factory.params.some((p) => p.name === name)) throw new Error(`${factory.id} has no parameter ${name}`);
  }
  const values: ParamValues = params;
  const invalid = factory.validate?.(values);
  if (invalid) throw new Error(invalid);
  const options = parseObject(optionsJson, 'options') as SearchOptions;
  const r = check(factory.create(values), options);
  const prop = r.violations.map((v) => v.property).join(',');
  const run: TlbcheckRun = {
    verdict: r.verdict === 'violated' ? `violated(${prop})` : r.verdict === 'incomplete' ? `incomplete(${r.bound ?? '?'})` : r.verdict,
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

try {
  main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`bench/one.ts: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
