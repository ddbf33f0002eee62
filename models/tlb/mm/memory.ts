/**
 * mm/memory.c of v6.18: zap_pte_range and the walk above it
 * (unmap_page_range, unmap_vmas), and free_pgtables / free_pgd_range /
 * free_pte_range. Read in linux-next; the README lists the commits.
 */
import type { At, KernelBuilder } from '../kernel/builder.ts';
import { pteOffsetMapLock, pteUnmapUnlock } from '../kernel/locks.ts';
import type { Slot } from '../kernel/slot.ts';
import { PTE_PRESENT, VMA_ATTACHED, VMA_UNLINKED } from '../state.ts';
import type { Vma } from '../types.ts';
import { flushTlbBatchedPending } from './rmap.ts';

/** The pages of `vma` in region r, within [lo, hi]: [start, end), or empty. */
export function pagesIn(k: KernelBuilder, vma: Vma, r: number, lo: number, hi: number): [number, number] {
  const g = k.g;
  return [Math.max(vma.start, g.regionStart[r]!, lo), Math.min(vma.end, g.regionEnd[r]!, hi + 1)];
}

/** Regions (page tables) that pages [s, e) span. */
export function regionsOf(k: KernelBuilder, s: number, e: number): number[] {
  const out: number[] = [];
  for (let v = s; v < e; v++) {
    const r = k.g.regionOf[v]!;
    if (!out.includes(r)) out.push(r);
  }
  return out;
}

/**
 * zap_pte_range over pages [s, e) of one page table: take the PTL (a table
 * whose pmd is gone has nothing to zap), flush what reclaim deferred, then
 * per PTE: a none PTE is skipped (found cleared: nothing can make it present
 * again), a present one is cleared (get_and_clear_full_ptes), recorded
 * (tlb_remove_tlb_entries) and queued (__tlb_remove_folio_pages). A full
 * batch forces a flush under the PTL, and the free after it, and the walk
 * resumes at the next PTE.
 */
export function zapPteRange(k: KernelBuilder, vma: Vma, r: number, s: number, e: number): void {
  if (e <= s) return;
  const h = k.hooks();
  const pg = k.pgtable();
  const m = k.m;
  const g = k.g;
  const a = k.agent;
  const t = g.tableOf[r]!;
  const addr = k.reg('addr', g.vpages);
  const force = k.reg('force_flush', 1);
  const page: At = (x) => x.get(addr);
  const retry = k.label();
  const done = k.label();
  const loop = k.label();
  const next = k.label();
  const slots = Array.from({ length: e - s }, (_, i) => m.comp.pte(g.slotOf[s + i]!));
  const frames = Array.from({ length: e - s }, (_, i) => m.frameOf(s + i));
  k.within('zap_pte_range', () => {
    k.local((x) => x.set(addr, s));
    k.place(retry);
    k.local((x) => x.set(force, 0));
    pteOffsetMapLock(k, r, done);
    flushTlbBatchedPending(k);
    pg.arch_enter_lazy_mmu_mode(k);
    k.place(loop);
    // A none PTE: nothing to do but remember it was found cleared (invariant 6).
    k.if(
      (x) => !m.ptePresent(x.st, g.slotOf[x.get(addr)]!),
      () => {
        k.local((x) => m.setMaskBit(x.st, a.revoked, x.get(addr), true), { reads: [], writes: [m.comp.rev(a.index)] });
        k.goto(next);
      },
      undefined,
      { reads: slots, writes: [] },
    );
    k.within('zap_present_ptes', () => {
      k.step({
        kind: 'pte',
        name: 'get_and_clear_full_ptes',
        label: (x) => `clear PTE of page ${x.get(addr)}`,
        short: (x) => `clear PTE page ${x.get(addr)}`,
        // The PTE's reference moves to the gather's batch; the folio may become dirty.
        touches: { reads: slots, writes: [...slots, m.comp.rev(a.index), ...frames.map((f) => m.comp.ref(f)), ...frames.map((f) => m.comp.folio(f))] },
        run: (x) => {
          const v = x.get(addr);
          const slot = g.slotOf[v]!;
          const bits = m.pteBits(x.st, slot);
          m.setPteBits(x.st, slot, 0);
          if (bits & PTE_PRESENT) k.ptepXchg(x, v, x.tlb.fullmm);
          m.setMaskBit(x.st, a.revoked, v, true);
          if (bits & 4) m.setMaskBit(x.st, m.folioDirtyF, m.frameOf(v), true);
          x.scratch = bits & PTE_PRESENT;
        },
      });
      k.if(
        (x) => x.scratch !== 0,
        () => {
          pg.pte_changed(k, page, (x) => x.tlb.fullmm);
          k.within('tlb_remove_tlb_entries', () => h.tlb_remove_tlb_entry(k, page));
          k.within('__tlb_remove_folio_pages', () => h.__tlb_remove_folio_pages(k, page));
          k.if(
            (x) => x.scratch === 1,
            () => k.local((x) => x.set(force, 1)),
          );
        },
      );
    });
    k.place(next);
    k.local((x) => x.set(addr, x.get(addr) + 1));
    k.if(
      (x) => x.get(force) === 0 && x.get(addr) < e,
      () => k.goto(loop),
    );
    pg.arch_leave_lazy_mmu_mode(k);
    // force_flush: the TLB flush happens under the PTL, the freeing after it.
    k.if(
      (x) => x.get(force) === 1,
      () => {
        k.within('tlb_flush_mmu_tlbonly', () => h.tlb_flush_mmu_tlbonly(k));
      },
    );
    pteUnmapUnlock(k, t);
    k.if(
      (x) => x.get(force) === 1,
      () => k.within('tlb_flush_mmu', () => h.tlb_flush_mmu(k)),
    );
    k.if(
      (x) => x.get(addr) < e,
      () => k.goto(retry),
    );
    k.place(done);
    k.local((x) => {
      x.set(addr, 0);
      x.set(force, 0);
    });
  });
}

/** unmap_page_range: tlb_start_vma, the page-table walk over [lo, hi] of the VMA, tlb_end_vma. */
export function unmapPageRange(k: KernelBuilder, vma: Vma, lo: number, hi: number): void {
  const h = k.hooks();
  k.within('unmap_page_range', () => {
    k.within('tlb_start_vma', () => h.tlb_start_vma(k, vma));
    for (let r = 0; r < k.g.regions; r++) {
      const [s, e] = pagesIn(k, vma, r, lo, hi);
      if (e > s) k.within('zap_pmd_range', () => zapPteRange(k, vma, r, s, e));
    }
    k.within('tlb_end_vma', () => h.tlb_end_vma(k, vma));
  });
}

/** unmap_vmas: unmap_single_vma for each VMA, inside one mmu_notifier range. */
export function unmapVmas(k: KernelBuilder, vmas: readonly Vma[], lo: number, hi: number): void {
  k.within('unmap_vmas', () => {
    for (const v of vmas) k.within('unmap_single_vma', () => unmapPageRange(k, v, lo, hi));
  });
}

/**
 * free_pgtables: tlb_free_vmas, unlink each VMA from the rmap (one step
 * each: reclaim's rmap walk stops finding it), then free_pgd_range, which
 * per page table clears the pmd with no lock (pmd_clear) and hands the
 * table to pte_free_tlb. Only tables in `tables` (a register: which ones
 * the caller's floor and ceiling allow) are freed.
 */
export function freePgtables(k: KernelBuilder, vmas: readonly Vma[], tables: Slot): void {
  const h = k.hooks();
  const m = k.m;
  const g = k.g;
  k.within('free_pgtables', () => {
    k.within('tlb_free_vmas', () => h.tlb_free_vmas(k));
    for (const v of vmas) {
      k.step({
        kind: 'vma',
        name: 'unlink_anon_vmas',
        label: () => `unlink vma${v.index} from the rmap (anon_vma, i_mmap)`,
        short: () => `unlink vma${v.index}`,
        touches: { reads: [m.comp.vma(v.index)], writes: [m.comp.vma(v.index)] },
        // (A VMA still in the tree, as with --without vma-detach, stays findable there.)
        run: (x) => {
          if (m.vmaState(x.st, v.index) !== VMA_ATTACHED) m.setVmaState(x.st, v.index, VMA_UNLINKED);
        },
      });
    }
    k.within('free_pgd_range', () => {
      for (let r = 0; r < g.regions; r++) {
        k.if(
          (x) => ((x.get(tables) >>> r) & 1) === 1 && m.pmdPresent(x.st, r),
          () =>
            k.within('free_pte_range', () => {
              k.pmd_clear(r);
              k.within('pte_free_tlb', () => h.pte_free_tlb(k, g.tableOf[r]!, r));
            }),
          undefined,
          { reads: [m.comp.pmd], writes: [] },
        );
      }
    });
  });
}

/**
 * Which page tables an unmap of `vmas` may free (free_pgd_range's floor and
 * ceiling): those no VMA outside the set still uses. Read under the mmap
 * write lock, so the VMA tree cannot change meanwhile.
 */
export function freeableTables(k: KernelBuilder, vmas: readonly Vma[], tables: Slot): void {
  const m = k.m;
  const g = k.g;
  const mine = new Set(vmas.map((v) => v.index));
  k.local((x) => {
    let mask = 0;
    for (let r = 0; r < g.regions; r++) {
      const rs = g.regionStart[r]!;
      const re = g.regionEnd[r]!;
      const users = g.vmas.filter((v) => v.start < re && v.end > rs);
      if (users.length === 0) continue;
      if (users.every((v) => mine.has(v.index) || m.vmaState(x.st, v.index) !== VMA_ATTACHED)) mask |= 1 << r;
    }
    x.set(tables, mask);
  }, { reads: m.comp.vmas(), writes: [] });
}

