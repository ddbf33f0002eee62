/**
 * Flush IPIs (smp_call_function_many with wait=1): each target handles the
 * interrupt in one step of its own, and only while its interrupts are on,
 * which is what makes gup_fast's interrupts-off walk safe on IPI
 * hardware. The handler applies the initiator's flush (kept in the
 * initiator's record while it waits) and acknowledges; the last
 * acknowledgement releases the initiator.
 */
import { get, set } from '../../../src/engine/layout.ts';
import type { State } from '../../../src/engine/model.ts';
import type { TlbMachine } from '../machine.ts';
import { FLUSH_ARCH, flushCpu, flushTlbFunc } from './tlb.ts';

export function ipiStep(m: TlbMachine, s: State, c: number, i: number, out: State): boolean {
  const f = m.inboxF[c]!;
  const bit = 1 << i;
  if ((get(s, f) & bit) === 0 || m.irqsOff(s, c)) return false;
  m.copy(s, out);
  const a = m.kagents[i]!;
  if (get(s, a.flPrim!) === FLUSH_ARCH) flushTlbFunc(m, out, c, get(s, a.flPages!), get(s, a.flRegions!));
  else flushCpu(m, out, c, get(s, a.flPages!), get(s, a.flRegions!), a.flIcache ? get(s, a.flIcache) === 1 : false);
  set(out, f, get(out, f) & ~bit);
  if (!m.waitingForAcks(out, i)) {
    set(out, a.flPrim!, 0);
    set(out, a.flPages!, 0);
    set(out, a.flRegions!, 0);
    if (a.flIcache) set(out, a.flIcache, 0);
  }
  return true;
}
