/**
 * Reclaim (kswapd) on the folios of pages [lo, hi], as shrink_folio_list in
 * mm/vmscan.c of v6.18 does it, per folio:
 *
 *   isolate the folio from the LRU (the reclaimer's own reference)
 *   try_to_unmap: try_to_unmap_one under the PTL, with the flush deferred
 *   if the folio is dirty (or anon, going to swap): try_to_unmap_flush_dirty, pageout
 *   (a lazyfree folio that is clean is discarded without writeback)
 *   try_to_unmap_flush, then free_unref_folios: drop the reference
 *
 * try_to_unmap_one drops the mapping's references at once; the isolation
 * reference is what keeps the frame until the deferred flush is done
 * (MODERN §3.6, and the README's reading of the source).
 */
import { get } from '../../../src/engine/layout.ts';
import type { KernelBuilder } from '../kernel/builder.ts';
import { LIVE, VMA_DETACHED } from '../state.ts';
import { tryToUnmapFlush, tryToUnmapOne } from './rmap.ts';

export function buildReclaim(k: KernelBuilder, lo: number, hi: number): void {
  const m = k.m;
  const g = k.g;
  const a = k.agent;
  const isolated = k.reg('isolated', 2 ** g.pages - 1);
  const regs = { flushRequired: k.reg('flush_required', 1), writable: k.reg('writable', 1), kept: k.reg('kept', 1), unmapped: k.reg('unmapped', 2 ** g.pages - 1) };
  a.holdsFrame = (s, f) => ((get(s, isolated) >>> f) & 1) === 1;
  const flushDirty = k.mech('try_to_unmap_flush_dirty');
  const c = m.comp;
  const flushBeforeFree = k.mech('try_to_unmap_flush');
  k.within('kswapd', () => {
    for (let p = lo; p <= hi; p++) {
      const next = k.label();
      k.within('shrink_folio_list', () => {
        k.step({
          kind: 'free',
          name: 'folio_isolate_lru',
          label: (x) => (m.frameState(x.st, p) === LIVE && m.frameHeld(x.st, p) ? `isolate the folio of frame ${p} from the LRU (take a reference)` : `frame ${p} is no longer on the LRU: nothing to reclaim`),
          short: () => `isolate frame ${p}`,
          touches: { reads: c.release(p).reads, writes: [c.ref(p)] },
          targets: [next],
          run: (x) => {
            if (!(m.frameState(x.st, p) === LIVE && m.frameHeld(x.st, p))) return next.pc;
            m.setMaskBit(x.st, isolated, p, true);
          },
        });
        // try_to_unmap: the rmap walk finds the mapping only through a VMA still linked in the rmap.
        const K = g.pages;
        const linked = g.vmas.filter((v) => (p >= v.start && p < v.end) || (K + p >= v.start && K + p < v.end));
        const slots = Array.from({ length: g.slots }, (_, s) => s).filter((s) => s % K === p);
        k.if(
          (x) => linked.some((v) => m.vmaState(x.st, v.index) <= VMA_DETACHED),
          () => k.within('try_to_unmap', () => k.within('rmap_walk', () => tryToUnmapOne(k, p, regs))),
          undefined,
          { reads: linked.map((v) => c.vma(v.index)), writes: [] },
        );
        // Still mapped (the rmap did not reach it, or a lazyfree folio was dirtied again): keep it.
        const stillMapped = (x: { st: Uint32Array }): boolean => slots.some((s) => m.ptePresent(x.st, s));
        k.if(
          (x) => x.get(regs.kept) === 1 || stillMapped(x),
          () =>
            k.step({
              kind: 'free',
              name: 'folio_putback_lru',
              label: () => `frame ${p} is still mapped: put the folio back (drop the reference)`,
              short: () => `keep frame ${p}`,
              touches: { reads: c.release(p).reads, writes: [...c.release(p).writes, c.ref(p)] },
              targets: [next],
              run: (x) => {
                m.setMaskBit(x.st, isolated, p, false);
                m.setMaskBit(x.st, regs.unmapped, p, false);
                x.set(regs.kept, 0);
                m.releaseFrame(x.st, p);
                return next.pc;
              },
            }),
          undefined,
          { reads: c.slotsOf(p), writes: [] },
        );
        // A lazyfree folio that stayed clean is discarded; anything else is written back first.
        k.if(
          (x) => !(m.maskBit(x.st, m.lazyfreeF, p) && !m.maskBit(x.st, m.folioDirtyF, p)),
          () => {
            if (flushDirty) tryToUnmapFlush(k, regs, true);
            k.step({
              kind: 'io',
              name: 'pageout',
              // Data integrity is at stake only for a mapping reclaim itself took away (munmap's pages are the mm's to lose).
              subject: (x) => ((x.get(regs.unmapped) >>> p) & 1 ? p : -1),
              label: () => `write frame ${p} back (swap): from now on a write to it is lost`,
              short: () => `pageout frame ${p}`,
              touches: { reads: c.cpus(), writes: [c.folio(p)] },
              run: (x) => m.setMaskBit(x.st, m.folioDirtyF, p, false),
            });
          },
          undefined,
          { reads: [c.folio(p)], writes: [] },
        );
        if (flushBeforeFree) tryToUnmapFlush(k, regs, false);
        k.within('free_unref_folios', () =>
          k.step({
            kind: 'free',
            name: 'folio_put',
            label: () => `free the folio of frame ${p} (drop the reclaimer's reference)`,
            short: () => `free frame ${p}`,
            touches: { reads: c.release(p).reads, writes: [...c.release(p).writes, c.ref(p)] },
            run: (x) => {
              m.setMaskBit(x.st, isolated, p, false);
              m.setMaskBit(x.st, regs.unmapped, p, false);
              m.releaseFrame(x.st, p);
            },
          }),
        );
      });
      k.place(next);
    }
    k.ret();
  });
}
