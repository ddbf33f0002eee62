/**
 * User threads of the mm (accessors). An access through a TLB hit changes
 * nothing in the model, so it is a step only when it reaches a frame the mm
 * no longer owns (to report it) or fills an i-cache line. A miss is a
 * hardware walk (hw/walker.ts); a fault fails (munmap removed the VMA; the
 * model installs no new pages).
 */
import type { State } from '../../../src/engine/model.ts';
import type { TlbMachine } from '../machine.ts';
import { CTX_USER, FREE, REUSED } from '../state.ts';
import { GUP_IDLE } from '../mm/gup.ts';

function gone(st: number): boolean {
  return st === FREE || st === REUSED;
}

// The guards are side-effect free, so their order is free: the rarest (the frame is gone) goes first.
export function readStep(m: TlbMachine, s: State, c: number, v: number, out: State): boolean {
  if (!gone(m.frameState(s, m.frameOf(v)))) return false;
  if (m.gupStage(s, c) !== GUP_IDLE || m.cpuCtx(s, c) !== CTX_USER || !m.tlbHas(s, c, v)) return false;
  m.copy(s, out);
  return true;
}

export function writeStep(m: TlbMachine, s: State, c: number, v: number, out: State): boolean {
  if (!gone(m.frameState(s, m.frameOf(v)))) return false;
  if (m.gupStage(s, c) !== GUP_IDLE || m.cpuCtx(s, c) !== CTX_USER || !m.tlbWritable(s, c, v)) return false;
  m.copy(s, out);
  return true;
}

export function execStep(m: TlbMachine, s: State, c: number, v: number, out: State): boolean {
  const f = m.frameOf(v);
  // Without an i-cache only an access to a gone frame is a step.
  if (!m.feat.icache && !gone(m.frameState(s, f))) return false;
  if (m.gupStage(s, c) !== GUP_IDLE || m.cpuCtx(s, c) !== CTX_USER || !m.tlbHas(s, c, v)) return false;
  if (gone(m.frameState(s, f))) {
    m.copy(s, out);
    return true;
  }
  if (!m.feat.icache) return false;
  const line = m.icLine(s, c, f);
  const want = m.frameGen(s, f) + 1;
  if (line === want) return false;
  m.copy(s, out);
  if (line === 0) m.setIcLine(out, c, f, want);
  return true;
}
