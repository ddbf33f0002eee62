/**
 * The hardware page-table walker. A walk is two steps: reading the pmd (or
 * hitting the walk cache, which a pmd read fills), then reading the PTE from
 * the table frame the walk holds and filling the TLB. The window between the
 * two is where a flush or a table free can land (L405-L410); a one-step walk
 * would hide it. A walk in flight holds its pmd just like a walk-cache
 * entry, so a flush ends it per --walk-flush (hw/tlb.ts).
 *
 * Speculative walks (ARMv7 prefetch, x86) and the demand walks of a user
 * thread's misses are the same two steps. A write walk (a user write with no
 * writable TLB entry) also sets the PTE's dirty bit, as x86 and arm64 with
 * hardware DBM do, and fills a writable entry; on a PTE without write
 * permission it faults (the walk ends, nothing is filled).
 */
import { get, set } from '../../../src/engine/layout.ts';
import type { State } from '../../../src/engine/model.ts';
import type { TlbMachine } from '../machine.ts';
import { CTX_OTHER, CTX_USER, LIVE, PTE_DIRTY, PTE_PRESENT, PTE_WRITE } from '../state.ts';

export function walkStart(m: TlbMachine, s: State, c: number, v: number, write: boolean, out: State): boolean {
  if (get(s, m.walkF[c]!) !== 0) return false;
  // Walks need the mm's CR3 (a lazy CPU still has it: speculative walks go on); write walks, its thread.
  const ctx = m.cpuCtx(s, c);
  if (ctx === CTX_OTHER || (write && ctx !== CTX_USER)) return false;
  // A read walk is pointless while the TLB maps the page; a write walk, while the entry is writable.
  if (write ? m.tlbWritable(s, c, v) : m.tlbHas(s, c, v)) return false;
  const r = m.g.regionOf[v]!;
  const fromCache = m.wcHas(s, c, r);
  if (!fromCache && !m.pmdTable(s, r)) return false; // nothing to walk (none, or a huge mapping the model does not track)
  m.copy(s, out);
  set(out, m.walkF[c]!, v + 1);
  const ww = m.walkWF[c];
  if (ww) set(out, ww, write ? 1 : 0);
  if (!fromCache) m.setMaskBit(out, m.wcF[c], r, true);
  return true;
}

export function walkPte(m: TlbMachine, s: State, c: number, out: State): boolean {
  const v = m.walkPage(s, c);
  if (v < 0) return false;
  m.copy(s, out);
  set(out, m.walkF[c]!, 0);
  if (m.config.hw.walkerIrqsOff) m.leaveIrqOff(out, c);
  const ww = m.walkWF[c];
  const write = ww !== undefined && get(s, ww) === 1;
  if (ww) set(out, ww, 0);
  const g = m.g;
  const table = m.tableFrame(g.tableOf[g.regionOf[v]!]!);
  if (m.frameState(s, table) !== LIVE) return true;
  const slot = g.slotOf[v]!;
  let bits = m.pteBits(s, slot);
  if ((bits & PTE_PRESENT) === 0) return true;
  if (write) {
    if ((bits & PTE_WRITE) === 0) return true; // a write fault; the fault fails in this model
    if ((bits & PTE_DIRTY) === 0) {
      bits |= PTE_DIRTY;
      m.setPteBits(out, slot, bits);
      // The page was written again: a syscall that revoked silent writes to it (MADV_FREE) no longer
      // answers for writable entries of it (bookkeeping for invariant 6 only).
      for (const a of m.kagents) if (a.revokes === 'write') m.setMaskBit(out, a.revoked, v, false);
    }
  }
  set(out, m.tlbF[c]!, get(out, m.tlbF[c]!) | (1 << v));
  const d = m.tlbDF[c];
  if (d) {
    const writable = (bits & (PTE_WRITE | PTE_DIRTY)) === (PTE_WRITE | PTE_DIRTY);
    set(out, d, writable ? get(out, d) | (1 << v) : get(out, d) & ~(1 << v));
  }
  return true;
}
