/**
 * mremap as mm/mremap.c of v6.18 does it, under the mmap write lock:
 * copy_vma creates the destination VMA; move_page_tables moves the
 * translations, whole tables with move_normal_pmd when the range covers
 * them, else PTE by PTE with move_ptes; then do_vmi_munmap (keeping the
 * write lock) removes the old VMA and frees what it left.
 *
 * move_ptes takes the old PTL, then the new one nested, calls
 * flush_tlb_batched_pending, moves every PTE (ptep_get_and_clear +
 * set_pte_at), and flushes the old range before dropping either PTL, so the
 * page cannot be freed or cleaned through the new mapping while old TLB
 * entries live. move_normal_pmd does the same with the pmd lock for a whole
 * table (and no flush_tlb_batched_pending): clear the old pmd, populate the
 * new one, flush_tlb_range, which must drop walk-cache entries too
 * (MODERN §3.7).
 */
import type { KernelBuilder } from '../kernel/builder.ts';
import { lockBit, mmapLock, unlockBit } from '../kernel/locks.ts';
import { MMAP_WRITE, PTE_PRESENT, VMA_ATTACHED } from '../state.ts';
import { regionsOf } from './memory.ts';
import { flushTlbBatchedPending } from './rmap.ts';
import { doVmiMunmap } from './vma.ts';

export function buildMremap(k: KernelBuilder, lo: number, hi: number): void {
  const m = k.m;
  const g = k.g;
  const K = g.pages;
  const T = g.tables;
  const underPtl = k.mech('mremap-flush-under-ptl');
  const pg = k.pgtable();
  const vmas = k.vmasIn(lo, hi);
  const copies = g.vmas.filter((v) => v.copyOf >= 0 && vmas.some((o) => o.index === v.copyOf));
  const flushOld = (s: number, e: number): void =>
    k.flush_tlb_range(
      () => vmas[0]!.index,
      () => s,
      () => e,
    );
  k.within('mremap', () => {
    mmapLock(k, MMAP_WRITE);
    k.step({
      kind: 'vma',
      name: 'copy_vma',
      label: () => `create the destination VMA${copies.length > 1 ? 's' : ''} (pages ${K + lo}-${K + hi})`,
      short: () => 'copy_vma',
      touches: { reads: [], writes: copies.map((v) => m.comp.vma(v.index)) },
      run: (x) => {
        for (const v of copies) m.setVmaState(x.st, v.index, VMA_ATTACHED);
      },
    });
    k.within('move_page_tables', () => {
      for (const r of regionsOf(k, lo, hi + 1)) {
        const s = Math.max(lo, g.regionStart[r]!);
        const e = Math.min(hi + 1, g.regionEnd[r]!);
        if (k.branch('mremap', g.mremap, g.mremap === 'pmd' ? 'move_normal_pmd (whole tables)' : 'move_ptes') === 'pmd') {
          // A whole table: move_pgt_entry(NORMAL_PMD) -> move_normal_pmd.
          const pml = g.tableFrames; // the pmd lock (one PMD table holds every region's entry)
          k.within('move_normal_pmd', () => {
            lockBit(k, pml, 'pmd_lock', 'the pmd lock');
            k.step({
              kind: 'pmd',
              name: 'pmd_populate',
              label: () => `pmd_clear the old pmd of table ${r}, pmd_populate the new one (region ${T + r})`,
              short: () => `move table ${r}`,
              touches: { reads: [m.comp.pmd], writes: [m.comp.pmd] },
              run: (x) => {
                if (!m.pmdPresent(x.st, r)) return;
                m.setPmd(x.st, r, false);
                m.setPmd(x.st, T + r, true);
              },
            });
            if (underPtl) flushOld(s, e);
            unlockBit(k, pml, 'the pmd lock');
            if (!underPtl) flushOld(s, e);
          });
        } else {
          const oldT = g.tableOf[r]!;
          const newT = g.tableOf[T + r]!;
          const moved = k.reg('moved', 1);
          k.within('move_ptes', () => {
            lockBit(k, oldT, 'pte_offset_map_lock', `the PTL of table ${oldT}`);
            lockBit(k, newT, 'spin_lock_nested', `the PTL of table ${newT}`);
            flushTlbBatchedPending(k);
            pg.arch_enter_lazy_mmu_mode(k);
            for (let v = s; v < e; v++) {
              const from = g.slotOf[v]!;
              const to = g.slotOf[K + v]!;
              k.if(
                (x) => m.ptePresent(x.st, from),
                () => {
                  k.step({
                    kind: 'pte',
                    name: 'set_pte_at',
                    label: () => `move the PTE of page ${v} to page ${K + v} (ptep_get_and_clear + set_pte_at)`,
                    short: () => `move PTE ${v} -> ${K + v}`,
                    touches: { reads: [m.comp.pte(from), m.comp.pte(to)], writes: [m.comp.pte(from), m.comp.pte(to), m.comp.rev(k.agent.index)] },
                    run: (x) => {
                      const bits = m.pteBits(x.st, from);
                      m.setPteBits(x.st, from, 0);
                      if (bits & PTE_PRESENT) k.ptepXchg(x, v, false);
                      m.setPteBits(x.st, to, bits);
                      m.setMaskBit(x.st, k.agent.revoked, v, true);
                      if (bits & PTE_PRESENT) x.set(moved, 1);
                    },
                  });
                  pg.pte_changed(k, () => v, () => false);
                },
                () => k.local((x) => m.setMaskBit(x.st, k.agent.revoked, v, true), { reads: [], writes: [m.comp.rev(k.agent.index)] }),
                { reads: [m.comp.pte(from)], writes: [] },
              );
            }
            const flush = (): void =>
              k.if(
                (x) => x.get(moved) === 1,
                () => flushOld(s, e),
              );
            pg.arch_leave_lazy_mmu_mode(k);
            if (underPtl) flush();
            unlockBit(k, newT, `the PTL of table ${newT}`);
            unlockBit(k, oldT, `the PTL of table ${oldT}`);
            if (!underPtl) flush();
            k.local((x) => x.set(moved, 0));
          });
        }
      }
      // What a whole-table move revoked: every page of the old range.
      if (g.mremap === 'pmd') k.local((x) => x.set(k.agent.revoked, x.get(k.agent.revoked) | ((2 ** (hi + 1) - 1) & ~(2 ** lo - 1))), { reads: [], writes: [m.comp.rev(k.agent.index)] });
    });
    // The old VMA goes, as munmap would remove it, but the write lock stays held.
    k.within('do_vmi_munmap', () => doVmiMunmap(k, lo, hi, vmas, false));
    k.ret({ mmap: true });
  });
}
