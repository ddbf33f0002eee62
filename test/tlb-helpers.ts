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
  if (!m.step(s, actionIndex(m, name), out)) throw new Error(`'${name}' is not enabled${m.whyDisabled ? `: ${m.whyDisabled(s, actionIndex(m, name))}` : ''}`);
  return out;
}

export function enabled(m: TlbModel, s: State, name: string): boolean {
  return m.step(s, actionIndex(m, name), new Uint32Array(m.stateWords));
}

/** The step action of kernel agent i (cpu0's path by default). */
export function kstep(m: TlbModel, i = 0): string {
  return `${m.machine.kagents[i]!.name} step`;
}

/** Runs kernel agent i until its next instruction is of `kind` (a StepKind), or it returned. */
export function unmapUntil(m: TlbModel, s: State, kind: string, i = 0): State {
  let cur = s;
  const a = m.machine.kagents[i]!;
  for (let guard = 0; guard < 200; guard++) {
    const ins = a.next(cur);
    if (!ins || ins.kind === kind) return cur;
    cur = take(m, cur, kstep(m, i));
  }
  throw new Error('agent did not reach ' + kind);
}

/**
 * The effects of the kernel agents run on their own, in order (hardware,
 * users and the allocator take no step; IPIs are acknowledged as soon as
 * they are sent). Agent i steps while it can; then the next.
 */
export function soloRun(m: TlbModel, order: readonly number[] = m.machine.kagents.map((_, i) => i)): string[] {
  const mach = m.machine;
  let s = m.initialStates()[0]!;
  const out = new Uint32Array(m.stateWords);
  const log: string[] = [];
  mach.log = log;
  try {
    const ipis = m.actions.map((a, i) => [a, i] as const).filter(([a]) => a.name.includes('handles the flush IPI')).map(([, i]) => i);
    for (const i of order) {
      const act = actionIndex(m, kstep(m, i));
      for (let guard = 0; guard < 500; guard++) {
        if (m.step(s, act, out)) {
          s = Uint32Array.from(out);
          continue;
        }
        const ack = ipis.find((x) => m.step(s, x, out));
        if (ack === undefined) break;
        mach.log = undefined;
        m.step(s, ack, out);
        mach.log = log;
        s = Uint32Array.from(out);
      }
    }
  } finally {
    mach.log = undefined;
  }
  return log;
}
