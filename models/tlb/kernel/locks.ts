/**
 * The locks kernel agents synchronise through, as builder primitives:
 * mmap_lock (read, write, downgrade), the per-VMA lock madvise takes
 * (lock_vma_under_rcu), and one page-table lock (PTL) per page-table frame.
 * A step that needs a lock another agent holds is not enabled (BLOCKED).
 *
 * What a lock-holding step leaves visible to hardware: nothing changes for
 * walkers, gup_fast or the TLBs while a lock is held. Locks order kernel
 * agents among themselves only; a hardware walker reads PTEs and pmds
 * whoever holds the PTL, which is why every PTE change under the PTL is its
 * own step.
 */
import { get } from '../../../src/engine/layout.ts';
import type { State } from '../../../src/engine/model.ts';
import type { TlbMachine } from '../machine.ts';
import { MMAP_NONE, MMAP_READ, MMAP_WRITE } from '../state.ts';
import type { KernelAgent } from './agent.ts';
import type { KernelBuilder } from './builder.ts';
import { BLOCKED, type Label } from './program.ts';

/** Whether another agent than `me` holds mmap_lock in a mode that excludes `mode`. */
export function mmapConflict(m: TlbMachine, s: State, me: KernelAgent, mode: number): boolean {
  for (const a of m.kagents) {
    if (a === me || !a.mmap) continue;
    const held = get(s, a.mmap);
    if (held === MMAP_WRITE || (held === MMAP_READ && mode === MMAP_WRITE)) return true;
  }
  return false;
}

/** Whether another agent than `me` holds the PTL of table frame t. */
export function ptlHeldByOther(m: TlbMachine, s: State, me: KernelAgent, t: number): boolean {
  for (const a of m.kagents) if (a !== me && a.ptl && ((get(s, a.ptl) >>> t) & 1) === 1) return true;
  return false;
}

/** Whether an agent other than `me` holds the per-VMA read lock of VMA v. */
export function vmaReadHeldByOther(m: TlbMachine, s: State, me: KernelAgent, v: number): boolean {
  for (const a of m.kagents) {
    if (a === me || !a.vmaRead) continue;
    if (get(s, a.vmaRead) === v + 1) return true;
  }
  return false;
}

const MODE_NAMES = ['', 'read', 'write'];

export function mmapLock(k: KernelBuilder, mode: number): void {
  const a = k.agent;
  const m = k.m;
  const c = m.comp;
  const name = mode === MMAP_WRITE ? 'mmap_write_lock' : 'mmap_read_lock';
  k.step({
    kind: 'lock',
    name,
    label: () => `take mmap_lock for ${MODE_NAMES[mode]}`,
    short: () => name,
    touches: { reads: [c.mmap], writes: [c.mmap] },
    run: (x) => {
      if (mmapConflict(m, x.st, a, mode)) return BLOCKED;
      x.set(a.mmap!, mode);
    },
    why: (x) => (mmapConflict(m, x.st, a, mode) ? `another agent holds mmap_lock${mode === MMAP_READ ? ' for write' : ''}` : undefined),
  });
}

export function mmapWriteDowngrade(k: KernelBuilder): void {
  const a = k.agent;
  const m = k.m;
  const c = m.comp;
  k.step({
    kind: 'lock',
    name: 'mmap_write_downgrade',
    label: () => 'downgrade mmap_lock to read (the VMAs it write-locked are unlocked)',
    short: () => 'mmap_write_downgrade',
    touches: { reads: [c.mmap], writes: [c.mmap, ...c.vmas()] },
    run: (x) => {
      x.set(a.mmap!, MMAP_READ);
      // vma_end_write_all: every VMA write lock this mm held ends with the write lock.
      for (const v of m.g.vmas) m.setVmaWriteLocked(x.st, v.index, false);
    },
  });
}

/**
 * pte_offset_map_lock on table frame t: takes its PTL. When the table is no
 * longer the mm's (its pmd was cleared: free_pgtables ran), there is no
 * table to lock and the caller skips it (returns NULL).
 */
export function pteOffsetMapLock(k: KernelBuilder, region: number, onNull: Label): void {
  const a = k.agent;
  const m = k.m;
  const c = m.comp;
  const t = m.g.tableOf[region]!;
  const noPtl = !k.mech('ptl');
  k.step({
    kind: 'lock',
    name: 'pte_offset_map_lock',
    label: (x) => (m.pmdPresent(x.st, region) ? `take the PTL of table ${t}` : `the pmd of table ${t} is gone: nothing to walk`),
    short: (x) => (m.pmdPresent(x.st, region) ? `lock PTL t${t}` : `pmd ${region} none`),
    targets: [onNull],
    // flush_tlb_batched_pending's read of mm->tlb_flush_batched is fused into this step (mm/rmap.ts).
    touches: { reads: [c.pmd, c.ptl(t), c.batched], writes: [c.ptl(t)] },
    run: (x) => {
      if (!m.pmdPresent(x.st, region)) return onNull.pc;
      if (!noPtl && ptlHeldByOther(m, x.st, a, t)) return BLOCKED;
      m.setMaskBit(x.st, a.ptl, t, true);
    },
    why: (x) => (ptlHeldByOther(m, x.st, a, t) ? `another agent holds the PTL of table ${t}` : undefined),
  });
}

export function pteUnmapUnlock(k: KernelBuilder, t: number): void {
  const a = k.agent;
  const m = k.m;
  const c = m.comp;
  k.step({
    kind: 'lock',
    name: 'pte_unmap_unlock',
    label: () => `drop the PTL of table ${t}`,
    short: () => `unlock PTL t${t}`,
    touches: { reads: [], writes: [c.ptl(t)] },
    run: (x) => m.setMaskBit(x.st, a.ptl, t, false),
  });
}

/** Takes the lock `bit` of the agent's PTL mask (a table's PTL, or bit TF: the pmd lock). */
export function lockBit(k: KernelBuilder, bit: number, name: string, what: string): void {
  const m = k.m;
  const a = k.agent;
  const noPtl = !k.mech('ptl');
  k.step({
    kind: 'lock',
    name,
    label: () => `take ${what}`,
    short: () => `lock ${what.replace('the PTL of table ', 'PTL t')}`,
    touches: { reads: [m.comp.ptl(bit)], writes: [m.comp.ptl(bit)] },
    run: (x) => {
      if (!noPtl && ptlHeldByOther(m, x.st, a, bit)) return BLOCKED;
      m.setMaskBit(x.st, a.ptl, bit, true);
    },
    why: (x) => (ptlHeldByOther(m, x.st, a, bit) ? `another agent holds ${what}` : undefined),
  });
}

export function unlockBit(k: KernelBuilder, bit: number, what: string): void {
  const m = k.m;
  const a = k.agent;
  k.step({
    kind: 'lock',
    name: 'spin_unlock',
    label: () => `drop ${what}`,
    short: () => `unlock ${what.replace('the PTL of table ', 'PTL t')}`,
    touches: { reads: [], writes: [m.comp.ptl(bit)] },
    run: (x) => m.setMaskBit(x.st, a.ptl, bit, false),
  });
}

/** The locks an agent holds in `s`, for traces. */
export function locksHeld(m: TlbMachine, s: State, a: KernelAgent): string[] {
  const out: string[] = [];
  if (a.mmap) {
    const v = get(s, a.mmap);
    if (v !== MMAP_NONE) out.push(`mmap_lock(${MODE_NAMES[v]})`);
  }
  if (a.vmaRead) {
    const v = get(s, a.vmaRead);
    if (v > 0) out.push(`vma${v - 1} read lock`);
  }
  if (a.ptl) {
    const p = get(s, a.ptl);
    for (let t = 0; t < m.TF; t++) if ((p >>> t) & 1) out.push(`PTL t${t}`);
  }
  if (get(s, a.irqoff) === 1) out.push('irqs off');
  return out;
}

