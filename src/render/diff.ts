/**
 * What a step changed, as immer patches between two decoded states: the
 * recipe writes the new state into a draft of the old one, and immer records
 * exactly the paths whose values differ. Only used when a found trace is
 * rendered, never during the search.
 */
import { enablePatches, produceWithPatches, type Patch } from 'immer';
import type { Json } from '../engine/model.ts';

enablePatches();

type Obj = { [k: string]: Json };

function assignInto(draft: Json[] | Obj, target: Json[] | Obj): void {
  if (Array.isArray(draft) && Array.isArray(target)) {
    if (draft.length > target.length) draft.length = target.length;
    for (let i = 0; i < target.length; i++) assignValue(draft, i, target[i]!);
    return;
  }
  const d = draft as Obj;
  const t = target as Obj;
  for (const k of Object.keys(d)) if (!(k in t)) delete d[k];
  for (const k of Object.keys(t)) assignValue(d, k, t[k]!);
}

function assignValue(parent: Json[] | Obj, key: string | number, value: Json): void {
  const cur = (parent as Record<string | number, Json>)[key];
  const bothArrays = Array.isArray(cur) && Array.isArray(value);
  const bothObjects = isObj(cur) && isObj(value);
  if (bothArrays || bothObjects) {
    assignInto(cur as Json[] | Obj, value as Json[] | Obj);
  } else if (cur !== value) {
    (parent as Record<string | number, Json>)[key] = value;
  }
}

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface Change {
  /** Path into the decoded state, for example ['cpu', 2, 'tlb', 1]. */
  readonly path: readonly (string | number)[];
  readonly before: Json | undefined;
  readonly after: Json | undefined;
}

/** The changes from `before` to `after` (both decoded states). */
export function diffStates(before: Json, after: Json): Change[] {
  if (!(Array.isArray(before) || isObj(before)) || !(Array.isArray(after) || isObj(after))) {
    return before === after ? [] : [{ path: [], before, after }];
  }
  const [, patches] = produceWithPatches(before, (draft: Json[] | Obj) => {
    assignInto(draft, after as Json[] | Obj);
  });
  const changes = patches.map((p: Patch) => ({
    path: p.path,
    before: lookup(before, p.path),
    after: p.op === 'remove' ? undefined : (p.value as Json),
  }));
  // Show changes in the decoded state's own field order, not immer's.
  const keyed = changes.map((c) => ({ c, rank: rankOf(after, before, c.path) }));
  keyed.sort((x, y) => compareRanks(x.rank, y.rank));
  return keyed.map((k) => k.c);
}

function rankOf(after: Json, before: Json, path: readonly (string | number)[]): number[] {
  const rank: number[] = [];
  let cur: Json | undefined = after;
  let alt: Json | undefined = before;
  for (const k of path) {
    if (typeof k === 'number') rank.push(k);
    else {
      const keys = isObj(cur) ? Object.keys(cur) : isObj(alt) ? Object.keys(alt) : [];
      const i = keys.indexOf(k);
      rank.push(i < 0 ? keys.length : i);
    }
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, Json>)[k] : undefined;
    alt = alt !== null && typeof alt === 'object' ? (alt as Record<string | number, Json>)[k] : undefined;
  }
  return rank;
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function lookup(root: Json, path: readonly (string | number)[]): Json | undefined {
  let cur: Json | undefined = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, Json>)[k];
  }
  return cur;
}

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out === '' ? k : `.${k}`;
  return out === '' ? '(state)' : out;
}

export function formatValue(v: Json | undefined): string {
  if (v === undefined) return '-';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** `cpu2.tlb[1]: 3 -> 7` */
export function formatChange(c: Change): string {
  return `${formatPath(c.path)}: ${formatValue(c.before)} -> ${formatValue(c.after)}`;
}
