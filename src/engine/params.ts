/** Checking parameter values that come from outside (a trace file, a suite) against a model's ParamSpecs. */
import type { ModelFactory, ParamSpec, ParamValues } from './model.ts';

export class ParamError extends Error {}

/** A value from outside for a message: JSON, cut when long. */
function show(v: unknown): string {
  const t = JSON.stringify(v) ?? String(v);
  return t.length > 60 ? `${t.slice(0, 60)}... (${t.length} characters)` : t;
}

function checkOne(spec: ParamSpec, v: unknown): number | boolean | string {
  switch (spec.kind) {
    case 'int':
      if (spec.auto && v === 'auto') return v;
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new ParamError(`parameter '${spec.name}' must be an integer, not ${show(v)}`);
      if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) {
        throw new ParamError(`parameter '${spec.name}' = ${v} is outside ${spec.min ?? '-inf'}..${spec.max ?? 'inf'}`);
      }
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw new ParamError(`parameter '${spec.name}' must be true or false, not ${show(v)}`);
      return v;
    case 'string':
      if (typeof v !== 'string') throw new ParamError(`parameter '${spec.name}' must be a string, not ${JSON.stringify(v)}`);
      return v;
    case 'enum':
      if (typeof v !== 'string' || !spec.values!.includes(v)) throw new ParamError(`parameter '${spec.name}' = ${show(v)} is not one of ${spec.values!.join(', ')}`);
      return v;
  }
}

/** Every declared parameter (missing ones take their default), type- and range-checked, then the model's own validation. */
export function checkParams(factory: ModelFactory, raw: Readonly<Record<string, unknown>>): ParamValues {
  const known = new Set(factory.params.map((p) => p.name));
  for (const k of Object.keys(raw)) if (!known.has(k)) throw new ParamError(`${factory.id} has no parameter ${show(k)}`);
  const out: Record<string, number | boolean | string> = {};
  for (const spec of factory.params) out[spec.name] = spec.name in raw ? checkOne(spec, raw[spec.name]) : spec.default;
  const problem = factory.validate?.(out);
  if (problem) throw new ParamError(problem);
  return out;
}

/** The non-default parameters (and the key parameters, always) as command-line options. */
export function paramsAsArgs(factory: ModelFactory, raw: ParamValues): string[] {
  const args: string[] = [];
  const params = factory.normalize ? factory.normalize(raw) : raw;
  const key = new Set(factory.keyParams ?? []);
  for (const spec of factory.params) {
    const v = params[spec.name];
    if (v === undefined || (v === spec.default && (!key.has(spec.name) || v === 'auto'))) continue;
    if (spec.kind === 'bool') args.push(v ? `--${spec.name}` : `--no-${spec.name}`);
    else args.push(`--${spec.name}`, String(v));
  }
  return args;
}
