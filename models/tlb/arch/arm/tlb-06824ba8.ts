/**
 * ARM at 06824ba8 (2.6.38, "delay page freeing for SMP and ARMv7 CPUs"):
 * pages and page tables are batched and freed after the flush; the range is
 * tracked from tlb_remove_tlb_entry and __pte_free_tlb (one page at the
 * table's address); tlb_flush does flush_tlb_mm for fullmm or when no VMA
 * was seen (shift_arg_pages), else flush_tlb_range on the last VMA
 * (L93-L101, L600-L700).
 */
import { defineBackend, PLAIN_FLUSH, type MmuGatherHooks } from '../../backend.ts';
import { genericHooks } from '../../asm-generic/tlb-2011.ts';

export const arm06824ba8Hooks: MmuGatherHooks = {
  ...genericHooks,
  tlb_gather_mmu(k, fullmm) {
    k.local((x) => {
      x.tlb.fullmm = fullmm;
      x.tlb.vma = -1;
      x.tlb.resetRange();
    });
  },
  tlb_start_vma(k, vma) {
    k.local((x) => {
      if (!x.tlb.fullmm) {
        x.tlb.vma = vma.index;
        x.tlb.resetRange();
      }
    });
  },
  tlb_remove_tlb_entry(k, _vma, page) {
    // tlb_add_flush(tlb, addr)
    k.local((x) => {
      const p = page(x);
      x.tlb.adjustRange(p, p + 1);
    });
  },
  tlb_remove_page(k, page) {
    const K = k.g.pages;
    k.local((x) => {
      x.tlb.batch = x.tlb.batch | (1 << page(x) % K);
    });
  },
  tlb_end_vma(k) {
    k.if(
      (x) => !x.tlb.fullmm,
      () => k.within('tlb_flush', () => this.tlb_flush(k)),
    );
  },
  pte_free_tlb(k, table) {
    // tlb_add_flush(tlb, addr): one page at the table's address.
    const at = k.g.regionStart[table]!;
    const K = k.g.pages;
    k.local((x) => {
      x.tlb.adjustRange(at, at + 1);
      x.tlb.batch = x.tlb.batch | (1 << (K + table));
    });
  },
  tlb_flush(k) {
    k.if(
      (x) => x.tlb.fullmm || x.tlb.vma < 0,
      () => k.flush_tlb_mm(),
      () =>
        k.if(
          (x) => x.tlb.hasRange,
          () => {
            k.flush_tlb_range(
              (x) => x.tlb.vma,
              (x) => x.tlb.start,
              (x) => x.tlb.end,
            );
            k.local((x) => x.tlb.resetRange());
          },
        ),
    );
  },
  tlb_flush_mmu(k) {
    k.within('tlb_flush', () => this.tlb_flush(k));
    k.within('free_pages_and_swap_cache', () => k.free_batch('put_page'));
  },
};

export default defineBackend({
  id: 'arm-06824ba8',
  kernel: '2011',
  summary: 'ARM at 06824ba8 (2.6.38): pages and tables batched and freed after the flush; range flush on the last VMA, flush_tlb_mm without one',
  source: 'L93-L101, L600-L700',
  hardware: { tlb: 'ipi', walkCache: false, icache: 'coherent', speculativeWalks: true },
  gupRef: 'get_page',
  flush: PLAIN_FLUSH,
  hooks: arm06824ba8Hooks,
});
