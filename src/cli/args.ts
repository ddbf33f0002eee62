/**
 * A small argument parser shared by every command: `--name value`,
 * `--name=value`, boolean `--flag` / `--no-flag`, positionals. Options are
 * declared per command (plus, for `check`, the model's own parameters), and
 * anything undeclared is a usage error: exit code 2 with one line.
 */
import type { ParamSpec, ParamValues } from '../engine/model.ts';

export class UsageError extends Error {}

/** The command could not finish (what it ran on went away mid-run): one line, exit 3 (incomplete), never a verdict. */
export class IncompleteError extends Error {}

/** Longest user-supplied value quoted in a message; longer ones are cut (with their length). */
const QUOTE_MAX = 60;

/** A user-supplied value for an error message: quoted, one line, cut when long. */
export function quote(value: string, max = QUOTE_MAX): string {
  const flat = value.replace(/[\r\n\t]/g, ' ');
  if (flat.length <= max) return `'${flat}'`;
  return `'${flat.slice(0, max)}...' (${value.length} characters)`;
}

export interface OptionSpec {
  readonly name: string;
  readonly kind: 'int' | 'number' | 'bool' | 'string' | 'enum';
  readonly description: string;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Shown in help; the command applies defaults itself. */
  readonly default?: string | number | boolean;
  readonly valueName?: string;
  /** For `int`: also accept the word `auto`. */
  readonly auto?: boolean;
}

export interface Parsed {
  readonly positionals: string[];
  readonly options: Map<string, string | number | boolean>;
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): Parsed {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const positionals: string[] = [];
  const options = new Map<string, string | number | boolean>();
  // How each option was spelled, to refuse repeats and --x together with --no-x.
  const spelled = new Map<string, string>();
  const once = (spec: OptionSpec, as: string): void => {
    const prev = spelled.get(spec.name);
    if (prev !== undefined) {
      if (prev !== as && spec.kind === 'bool') throw new UsageError(`options '${prev}' and '${as}' contradict each other`);
      throw new UsageError(`option '--${spec.name}' is given more than once`);
    }
    spelled.set(spec.name, as);
  };
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!tok.startsWith('--') || tok === '--') {
      if (tok.startsWith('-') && tok.length > 1 && !/^-\d/.test(tok)) {
        throw new UsageError(`unknown option ${quote(tok)} (options are spelled --name)`);
      }
      positionals.push(tok);
      continue;
    }
    let name = tok.slice(2);
    let inline: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      inline = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    let spec = byName.get(name);
    if (!spec && name.startsWith('no-')) {
      const pos = byName.get(name.slice(3));
      if (pos && pos.kind === 'bool' && inline === undefined && pos.name !== 'help') {
        once(pos, `--no-${pos.name}`);
        options.set(pos.name, false);
        continue;
      }
    }
    if (!spec) throw new UsageError(`unknown option ${quote(`--${name}`)}${suggest(name, specs)}`);
    if (spec.kind === 'bool') {
      if (spec.name === 'help' && inline !== undefined) throw new UsageError("option '--help' takes no value");
      once(spec, `--${spec.name}`);
      if (inline === undefined) {
        options.set(spec.name, true);
        continue;
      }
      options.set(spec.name, parseBool(spec, inline));
      continue;
    }
    once(spec, `--${spec.name}`);
    let raw = inline;
    if (raw === undefined) {
      const nxt = argv[i + 1];
      if (nxt === undefined || (nxt.startsWith('--') && nxt.length > 2)) throw new UsageError(`option '--${name}' needs a value`);
      raw = nxt;
      i++;
    }
    options.set(spec.name, parseValue(spec, raw));
  }
  return { positionals, options };
}

function parseBool(spec: OptionSpec, raw: string): boolean {
  if (raw === 'true' || raw === '1' || raw === 'yes' || raw === 'on') return true;
  if (raw === 'false' || raw === '0' || raw === 'no' || raw === 'off') return false;
  throw new UsageError(`option '--${spec.name}' takes true or false, not ${quote(raw)}`);
}

export function parseValue(spec: OptionSpec, raw: string): string | number | boolean {
  switch (spec.kind) {
    case 'bool':
      return parseBool(spec, raw);
    case 'int':
    case 'number': {
      const t = raw.trim();
      if (spec.auto && t === 'auto') return 'auto';
      const ok = spec.kind === 'int' ? /^-?\d+$/.test(t) : /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t);
      if (!ok) throw new UsageError(`option '--${spec.name}' needs ${spec.kind === 'int' ? 'an integer' : 'a number'}, not ${quote(raw)}`);
      const v = Number(t);
      if (!Number.isFinite(v) || (spec.kind === 'int' && !Number.isSafeInteger(v))) {
        throw new UsageError(`option '--${spec.name}': ${quote(raw)} is out of range`);
      }
      if (spec.min !== undefined && v < spec.min) {
        throw new UsageError(`option '--${spec.name}' must be at least ${spec.min}, not ${quote(raw)}`);
      }
      if (spec.max !== undefined && v > spec.max) {
        throw new UsageError(`option '--${spec.name}' must be at most ${spec.max}, not ${quote(raw)}`);
      }
      return v;
    }
    case 'enum':
      if (!spec.values!.includes(raw)) {
        throw new UsageError(`option '--${spec.name}' does not take ${quote(raw)}: it takes one of ${spec.values!.join(', ')}`);
      }
      return raw;
    default:
      if (raw.trim() === '') throw new UsageError(`option '--${spec.name}' needs a non-empty value`);
      return raw;
  }
}

function suggest(name: string, specs: readonly OptionSpec[]): string {
  if (name.length > QUOTE_MAX) return '';
  const close = specs.map((s) => s.name).filter((n) => editDistance(n, name) <= 2);
  return close.length > 0 ? ` (did you mean --${close[0]}?)` : '';
}

export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

/** Model parameters as option specs. */
export function paramOptions(params: readonly ParamSpec[]): OptionSpec[] {
  return params.map((p) => ({
    name: p.name,
    kind: p.kind,
    description: p.description,
    default: p.default,
    ...(p.min !== undefined ? { min: p.min } : {}),
    ...(p.max !== undefined ? { max: p.max } : {}),
    ...(p.values ? { values: p.values } : {}),
    ...(p.auto ? { auto: true, valueName: 'n|auto' } : {}),
    ...(p.valueName ? { valueName: p.valueName } : {}),
  }));
}

/** Every declared model parameter, from the parsed options or its default. */
export function paramValues(params: readonly ParamSpec[], options: Map<string, string | number | boolean>): ParamValues {
  const out: Record<string, number | boolean | string> = {};
  for (const p of params) out[p.name] = options.get(p.name) ?? p.default;
  return out;
}

/**
 * A comma-separated list option (`--skip a,b`): its items, trimmed; an empty
 * list (`--skip ''`, `--skip ,`) is a usage error.
 */
export function listValue(option: string, raw: string): string[] {
  const items = raw.split(',').map((x) => x.trim());
  if (items.every((x) => x === '')) throw new UsageError(`option '--${option}' needs at least one item`);
  if (items.some((x) => x === '')) throw new UsageError(`option '--${option}' has an empty item in ${quote(raw)}`);
  return items;
}

export function formatOptions(specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => {
    const v = s.kind === 'bool' ? '' : ` <${s.valueName ?? (s.kind === 'enum' ? s.values!.join('|') : s.kind === 'string' ? 'value' : 'n')}>`;
    const range = s.min !== undefined || s.max !== undefined ? ` [${s.min ?? ''}..${s.max ?? ''}]` : '';
    const def = s.default !== undefined ? ` (default ${String(s.default)})` : '';
    return [`  --${s.name}${v}`, `${s.description}${range}${def}`] as const;
  });
  const w = Math.min(34, Math.max(...rows.map((r) => r[0].length), 0) + 2);
  return rows.map(([a, b]) => (a.length + 1 >= w ? `${a}\n${' '.repeat(w)}${b}` : a.padEnd(w) + b)).join('\n');
}

/** One argument of a printed command line, quoted for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_\-.,:/=@%+]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
