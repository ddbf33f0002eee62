/**
 * mprotect(PROT_READ) as mm/mprotect.c of v6.18 does it, under the mmap
 * write lock: one gather for the call; per VMA vma_start_write and
 * change_protection: tlb_start_vma, change_pte_range per table (under the
 * PTL: flush_tlb_batched_pending, then per present PTE
 * modify_prot_start/commit dropping write permission, and
 * tlb_flush_pte_range when pte_needs_flush), tlb_end_vma; then
 * tlb_finish_mmu. It never flushes under the PTL (MODERN §3.4).
 */
import type { KernelBuilder } from '../kernel/builder.ts';
import { BLOCKED } from '../kernel/program.ts';
import { mmapLock, pteOffsetMapLock, pteUnmapUnlock, vmaReadHeldByOther } from '../kernel/locks.ts';
import { MMAP_WRITE, PTE_PRESENT, PTE_WRITE } from '../state.ts';
import type { Vma } from '../types.ts';
import { pagesIn } from './memory.ts';
import { flushTlbBatchedPending } from './rmap.ts';

function changePteRange(k: KernelBuilder, r: number, s: number, e: number): void {
  if (e <= s) return;
  const m = k.m;
  const g = k.g;
  const a = k.agent;
  const h = k.hooks();
  const pg = k.pgtable();
  const done = k.label();
  k.within('change_pte_range', () => {
    pteOffsetMapLock(k, r, done);
    flushTlbBatchedPending(k);
    pg.arch_enter_lazy_mmu_mode(k);
    for (let v = s; v < e; v++) {
      const slot = g.slotOf[v]!;
      k.local((x) => m.setMaskBit(x.st, a.revoked, v, true), { reads: [], writes: [m.comp.rev(a.index)] });
      k.if(
        (x) => (m.pteBits(x.st, slot) & (PTE_PRESENT | PTE_WRITE)) === (PTE_PRESENT | PTE_WRITE),
        () => {
          k.step({
            kind: 'pte',
            name: 'modify_prot_commit_ptes',
            label: () => `write-protect the PTE of page ${v}`,
            short: () => `wrprotect PTE page ${v}`,
            touches: { reads: [m.comp.pte(slot)], writes: [m.comp.pte(slot)] },
            run: (x) => {
              const bits = m.pteBits(x.st, slot);
              m.setPteBits(x.st, slot, bits & ~PTE_WRITE);
              if (bits & PTE_PRESENT) k.ptepXchg(x, v, false);
              x.scratch = bits & PTE_PRESENT;
            },
          });
          // pte_needs_flush(old, new): write permission went away.
          k.if(
            (x) => x.scratch !== 0,
            () => {
              pg.pte_changed(k, () => v, () => false);
              k.within('tlb_flush_pte_range', () => h.tlb_remove_tlb_entry(k, () => v));
            },
          );
        },
        undefined,
        { reads: [m.comp.pte(slot)], writes: [] },
      );
    }
    pg.arch_leave_lazy_mmu_mode(k);
    pteUnmapUnlock(k, g.tableOf[r]!);
    k.place(done);
  });
}

function vmaStartWrite(k: KernelBuilder, v: Vma): void {
  const m = k.m;
  const a = k.agent;
  k.step({
    kind: 'vma',
    name: 'vma_start_write',
    label: () => `write-lock vma${v.index}`,
    short: () => `vma_start_write ${v.index}`,
    touches: { reads: [m.comp.vma(v.index)], writes: [m.comp.vma(v.index)] },
    run: (x) => {
      if (vmaReadHeldByOther(m, x.st, a, v.index)) return BLOCKED;
      m.setVmaWriteLocked(x.st, v.index, true);
    },
    why: (x) => (vmaReadHeldByOther(m, x.st, a, v.index) ? `another agent holds vma${v.index}'s per-VMA read lock` : undefined),
  });
}

export function buildMprotect(k: KernelBuilder, lo: number, hi: number): void {
  const h = k.hooks();
  const g = k.g;
  const vmas = k.vmasIn(lo, hi);
  k.within('mprotect(PROT_READ)', () => {
    k.within('do_mprotect_pkey', () => {
      mmapLock(k, MMAP_WRITE);
      k.within('tlb_gather_mmu', () => h.tlb_gather_mmu(k, false));
      for (const v of vmas) {
        k.within('mprotect_fixup', () => {
          vmaStartWrite(k, v);
          k.within('change_protection', () => {
            k.within('tlb_start_vma', () => h.tlb_start_vma(k, v));
            for (let r = 0; r < g.regions; r++) {
              const [s, e] = pagesIn(k, v, r, lo, hi);
              changePteRange(k, r, s, e);
            }
            k.within('tlb_end_vma', () => h.tlb_end_vma(k, v));
          });
        });
      }
      k.within('tlb_finish_mmu', () => h.tlb_finish_mmu(k));
    });
    k.ret({ mmap: true });
  });
}
