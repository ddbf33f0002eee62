/**
 * RCU (kernel/rcu): a table handed to call_rcu is freed once every CPU that
 * was in an interrupts-off section at that moment has left it (since the
 * flavour consolidation, an irq-disabled region holds off the grace period,
 * which is what gup_fast relies on). One table per step.
 */
import { get, set } from '../../../src/engine/layout.ts';
import type { State } from '../../../src/engine/model.ts';
import type { TlbMachine } from '../machine.ts';
import { FREE } from '../state.ts';

export function rcuFreeStep(m: TlbMachine, s: State, out: State): boolean {
  const pending = get(s, m.rcuF!);
  if (pending === 0) return false;
  for (let c = 0; c < m.N; c++) if (get(s, m.rcuWaitF[c]!) === 1) return false;
  const t = 31 - Math.clz32(pending & -pending);
  m.copy(s, out);
  set(out, m.rcuF!, pending & ~(1 << t));
  m.setFrameState(out, m.tableFrame(t), FREE);
  return true;
}

/** call_rcu: the grace period waits for every CPU now in an interrupts-off section. */
export function callRcu(m: TlbMachine, out: State, tables: number): void {
  set(out, m.rcuF!, get(out, m.rcuF!) | tables);
  for (let c = 0; c < m.N; c++) if (m.inRcuReader(out, c)) set(out, m.rcuWaitF[c]!, 1);
}
