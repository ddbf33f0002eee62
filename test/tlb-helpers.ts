/** Building TLB models and stepping them by action name, for the TLB tests. */
import type { State } from '../src/engine/model.ts';
import { tlbModel, type TlbModel } from '../models/tlb/index.ts';
import { resolveConfig, TLB_PARAMS } from '../models/tlb/config.ts';

export function tlb(params: Record<string, string | number | boolean>): TlbModel {
  const defaults = Object.fromEntries(TLB_PARAMS.map((p) => [p.name, p.default]));
  return tlbModel(resolveConfig({ ...defaults, ...params }));
}

export function actionIndex(m: TlbModel, name: string): number {
  const i = m.actions.findIndex((a) => a.name === name);
  if (i < 0) throw new Error(`no action '${name}' (have: ${m.actions.map((a) => a.name).join('; ')})`);
  return i;
}

/** Takes the named action; fails the test if it is not enabled. */
export function take(m: TlbModel, s: State, name: string): State {
  const out = new Uint32Array(m.stateWords);
  if (!m.step(s, actionIndex(m, name), out)) throw new Error(`'${name}' is not enabled`);
  return out;
}

export function enabled(m: TlbModel, s: State, name: string): boolean {
  return m.step(s, actionIndex(m, name), new Uint32Array(m.stateWords));
}

/** Runs the unmapper until its next op is of `kind` (or it returned). */
export function unmapUntil(m: TlbModel, s: State, kind: string): State {
  let cur = s;
  for (let guard = 0; guard < 100; guard++) {
    const op = m.machine.nextOp(cur);
    if (!op || op.kind === kind) return cur;
    cur = take(m, cur, `${m.machine.config.path} step`);
  }
  throw new Error('unmapper did not reach ' + kind);
}
