/**
 * mm/rmap.c: reclaim's side of the deferred TLB flush (CONFIG_ARCH_WANT_
 * BATCHED_UNMAP_TLB_FLUSH) and the check every PTE-changing path makes
 * against it. Read in linux-next (see README "Today's kernel").
 *
 * mm->tlb_flush_batched packs two generations: pending (raised by
 * set_tlb_ubc_flush_pending each time reclaim clears a PTE and defers the
 * flush) and flushed (published by flush_tlb_batched_pending after a
 * flush_tlb_mm). Here they are two small counters; no run of the model
 * raises pending more often than reclaim clears PTEs, so they never wrap.
 */
import { get, set } from '../../../src/engine/layout.ts';
import type { KernelBuilder } from '../kernel/builder.ts';
import type { Exec } from '../kernel/exec.ts';
import { BLOCKED } from '../kernel/program.ts';
import { ptlHeldByOther } from '../kernel/locks.ts';
import type { Slot } from '../kernel/slot.ts';
import { PTE_DIRTY, PTE_PRESENT } from '../state.ts';

/**
 * flush_tlb_batched_pending(mm), called with the PTL held: if reclaim
 * deferred a flush this mm has not published as done, flush_tlb_mm and
 * publish flushed := pending (cmpxchg: a deferral that arrived meanwhile
 * keeps the generations apart). The read is the step that took the PTL
 * (fused: an agent holding another PTL commutes with it), the flush and
 * the cmpxchg are steps of their own.
 */
export function flushTlbBatchedPending(k: KernelBuilder): void {
  const m = k.m;
  if (!m.feat.reclaim || !k.mech('flush_tlb_batched_pending')) return;
  const seen = k.reg('batched_seen', m.feat.maxBatchGen);
  const c = m.comp;
  const readsBatched = { reads: [c.batched], writes: [] };
  k.within('flush_tlb_batched_pending', () => {
    k.local((x) => x.set(seen, get(x.st, m.batchedPendingF!)), readsBatched);
    k.if(
      (x) => get(x.st, m.batchedPendingF!) !== get(x.st, m.batchedFlushedF!),
      () => {
        k.flush_tlb_mm();
        k.step({
          kind: 'counter',
          name: 'atomic_cmpxchg',
          label: (x) => {
            const now = get(x.st, m.batchedPendingF!);
            const old = x.get(seen);
            return now === old ? `mm->tlb_flush_batched: flushed := ${old}` : `mm->tlb_flush_batched changed (${old} -> ${now}): keep it pending`;
          },
          short: () => 'tlb_flush_batched cmpxchg',
          touches: { reads: [c.batched], writes: [c.batched] },
          run: (x) => {
            const old = x.get(seen);
            if (get(x.st, m.batchedPendingF!) === old) set(x.st, m.batchedFlushedF!, old);
            x.set(seen, 0);
          },
        });
      },
      () => k.local((x) => x.set(seen, 0)),
      readsBatched,
    );
  });
}

/**
 * try_to_unmap_one for the frame of page `page`, with TTU_BATCH_FLUSH:
 * under the PTL of the table that maps it, clear the PTE; defer the flush
 * (set_tlb_ubc_flush_pending) when the arch batches, else flush at once;
 * carry the dirty bit to the folio; drop the mapping's reference (the
 * reclaimer's isolation reference keeps the frame). A lazyfree folio that
 * is dirty again gets its PTE back and is kept.
 */
export function tryToUnmapOne(
  k: KernelBuilder,
  page: number,
  regs: { readonly flushRequired: Slot; readonly writable: Slot; readonly kept: Slot; readonly unmapped: Slot },
): void {
  const m = k.m;
  const g = k.g;
  const a = k.agent;
  const kc = k.kconfig();
  const noPtl = !k.mech('ptl');
  const K = g.pages;
  // The slot that maps the frame: its original page, or mremap's destination.
  const slots = Array.from({ length: g.slots }, (_, s) => s).filter((s) => s % K === page);
  const mappedSlot = (x: { st: Uint32Array }): number => slots.find((s) => m.ptePresent(x.st, s)) ?? -1;
  const vpageOf = (slot: number): number => g.slotOf.indexOf(slot);
  const slotReg = k.reg('slot', g.slots);
  const c = m.comp;
  const slotCs = slots.map((s) => c.pte(s));
  const ptls = [...new Set(slots.map((s) => c.ptl(g.slotTable[s]!)))];
  const pteval = k.reg('pteval', 7);
  const skip = k.label();
  k.within('try_to_unmap_one', () => {
    k.within('page_vma_mapped_walk', () =>
      k.step({
        kind: 'lock',
        name: 'pte_offset_map_lock',
        label: (x) => {
          const s = mappedSlot(x);
          return s < 0 ? `frame ${page} is no longer mapped: nothing to unmap` : `take the PTL of table ${g.slotTable[s]} (it maps frame ${page})`;
        },
        short: (x) => {
          const s = mappedSlot(x);
          return s < 0 ? `rmap: frame ${page} unmapped` : `lock PTL t${g.slotTable[s]}`;
        },
        touches: { reads: [...slotCs, ...ptls], writes: ptls },
        targets: [skip],
        run: (x) => {
          const s = mappedSlot(x);
          if (s < 0) return skip.pc;
          const t = g.slotTable[s]!;
          if (!noPtl && ptlHeldByOther(m, x.st, a, t)) return BLOCKED;
          m.setMaskBit(x.st, a.ptl, t, true);
          x.set(slotReg, s + 1);
        },
        why: (x) => {
          const s = mappedSlot(x);
          return s >= 0 && ptlHeldByOther(m, x.st, a, g.slotTable[s]!) ? `another agent holds the PTL of table ${g.slotTable[s]}` : undefined;
        },
      }),
    );
    const deferred = kc.ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH;
    k.step({
      kind: 'pte',
      name: deferred ? 'get_and_clear_ptes' : 'ptep_clear_flush',
      label: (x) => {
        const s = x.get(slotReg) - 1;
        const v = vpageOf(s);
        if (s < 0 || !m.ptePresent(x.st, s)) return `the PTE of frame ${page} was cleared meanwhile`;
        return `clear the PTE of page ${v}${deferred ? ' and defer the flush (set_tlb_ubc_flush_pending: tlb_flush_batched pending+1)' : ''}`;
      },
      short: (x) => `reclaim: clear PTE p${vpageOf(x.get(slotReg) - 1)}`,
      touches: { reads: [...slotCs, c.batched], writes: [...slotCs, c.folio(page), c.batched] },
      run: (x) => {
        const s = x.get(slotReg) - 1;
        const bits = m.pteBits(x.st, s);
        x.scratch = 0;
        if ((bits & PTE_PRESENT) === 0) return;
        m.setPteBits(x.st, s, 0);
        k.ptepXchg(x, vpageOf(s), false, !deferred);
        x.set(pteval, bits);
        m.setMaskBit(x.st, regs.unmapped, page, true);
        x.scratch = 1;
        if ((bits & PTE_DIRTY) !== 0) m.setMaskBit(x.st, m.folioDirtyF, page, true);
        if (deferred) {
          // set_tlb_ubc_flush_pending: pte_accessible (present), so record it.
          x.set(regs.flushRequired, 1);
          set(x.st, m.batchedPendingF!, get(x.st, m.batchedPendingF!) + 1);
          if ((bits & PTE_DIRTY) !== 0) x.set(regs.writable, 1);
        }
      },
    });
    if (!deferred) {
      k.if(
        (x) => x.get(pteval) !== 0,
        // ptep_clear_flush: the arch's side of the clear (s390 IPTE), then flush the address, under the PTL.
        () => {
          k.pgtable().pte_changed(k, (x) => vpageOf(x.get(slotReg) - 1), () => false, true);
          k.flush_tlb_page((x) => vpageOf(x.get(slotReg) - 1));
        },
      );
    }
    // A lazyfree folio that is dirty again (written after MADV_FREE) is not discarded: put the PTE back.
    if (m.lazyfreeF) {
      k.if(
        (x) => x.get(pteval) !== 0 && m.maskBit(x.st, m.lazyfreeF, page) && m.maskBit(x.st, m.folioDirtyF, page),
        () =>
          k.local((x) => {
            // set_ptes(pteval): the PTE is restored in the same PTL section; swapbacked again.
            const s = x.get(slotReg) - 1;
            m.setPteBits(x.st, s, x.get(pteval));
            m.setMaskBit(x.st, m.lazyfreeF, page, false);
            x.set(regs.kept, 1);
          }, { reads: [], writes: [...slotCs, c.folio(page)] }),
        undefined,
        { reads: [c.folio(page)], writes: [] },
      );
    }
    k.step({
      kind: 'lock',
      name: 'page_vma_mapped_walk_done',
      label: (x) => `drop the PTL of table ${g.slotTable[x.get(slotReg) - 1]}`,
      short: (x) => `unlock PTL t${g.slotTable[x.get(slotReg) - 1]}`,
      touches: { reads: [], writes: ptls },
      run: (x) => {
        m.setMaskBit(x.st, a.ptl, g.slotTable[x.get(slotReg) - 1]!, false);
        x.set(slotReg, 0);
        x.set(pteval, 0);
      },
    });
  });
  k.place(skip);
}

/** try_to_unmap_flush: if reclaim deferred anything, arch_tlbbatch_flush, then forget it. */
export function tryToUnmapFlush(k: KernelBuilder, regs: { readonly flushRequired: Slot; readonly writable: Slot; readonly unmapped?: Slot }, dirtyOnly: boolean): void {
  const h = k.hooks();
  k.within(dirtyOnly ? 'try_to_unmap_flush_dirty' : 'try_to_unmap_flush', () =>
    k.if(
      (x) => x.get(dirtyOnly ? regs.writable : regs.flushRequired) === 1,
      () => {
        const u = regs.unmapped;
        const frames = u ? (x: Exec) => x.get(u) : undefined;
        if (dirtyOnly) k.within('try_to_unmap_flush', () => h.arch_tlbbatch_flush.call(h, k, frames));
        else h.arch_tlbbatch_flush.call(h, k, frames);
        k.local((x) => {
          x.set(regs.flushRequired, 0);
          x.set(regs.writable, 0);
        });
      },
    ),
  );
}
