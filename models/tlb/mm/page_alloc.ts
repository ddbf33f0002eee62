/**
 * The page allocator and the frames' next owners: a freed frame may be
 * handed to someone else at any time; with an incoherent i-cache its new
 * owner may write code into it and the kernel may execute it on any CPU
 * with no context switch in between (kernel text, or the same mm mapping it
 * again), so Tile's switch-time i-cache flush does not help (L1282-L1290).
 */
import type { State } from '../../../src/engine/model.ts';
import type { TlbMachine } from '../machine.ts';
import { FREE, REUSED } from '../state.ts';

export function reuseStep(m: TlbMachine, s: State, f: number, out: State): boolean {
  if (m.frameState(s, f) !== FREE) return false;
  m.copy(s, out);
  m.setFrameState(out, f, REUSED);
  return true;
}

export function writeCodeStep(m: TlbMachine, s: State, f: number, out: State): boolean {
  // The new owner writes code into the frame: a new contents generation.
  if (m.frameState(s, f) !== REUSED || m.frameGen(s, f) !== 0) return false;
  m.copy(s, out);
  m.setMaskBit(out, m.genF, f, true);
  return true;
}

export function execNewStep(m: TlbMachine, s: State, c: number, f: number, out: State): boolean {
  if (m.frameState(s, f) !== REUSED || m.frameGen(s, f) !== 1) return false;
  // A CPU inside a (non-preemptible) kernel path runs no other code until the path returns.
  if (m.kernelBusy(s, c)) return false;
  const line = m.icLine(s, c, f);
  if (line === 2) return false;
  m.copy(s, out);
  if (line === 0) m.setIcLine(out, c, f, 2);
  return true;
}
