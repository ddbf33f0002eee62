/**
 * ARM at 06824ba8 (2.6.38, "delay page freeing for SMP and ARMv7 CPUs"):
 * pages and page tables are batched and freed after the flush; the range is
 * tracked from tlb_remove_tlb_entry and __pte_free_tlb (one page at the
 * table's address); tlb_flush does flush_tlb_mm for fullmm or when no VMA
 * was seen (shift_arg_pages), else flush_tlb_range on the last VMA
 * (L93-L101, L600-L700).
 */
import { defineBackend, genericHooks, PLAIN_FLUSH, type MmuGatherHooks } from '../backend.ts';

export const arm06824ba8Hooks: MmuGatherHooks = {
  ...genericHooks,
  tlb_gather_mmu(tlb, fullmm) {
    tlb.fullmm = fullmm;
    tlb.vma = null;
    tlb.resetRange();
  },
  tlb_start_vma(tlb, vma) {
    if (!tlb.fullmm) {
      tlb.vma = vma;
      tlb.resetRange();
    }
  },
  tlb_remove_tlb_entry(tlb, _vma, page) {
    tlb.track(page, page + 1); // tlb_add_flush(tlb, addr)
  },
  tlb_remove_page(tlb, page) {
    tlb.pages.push(page);
  },
  tlb_end_vma(tlb) {
    if (!tlb.fullmm) tlb.within('tlb_flush', () => this.tlb_flush(tlb));
  },
  pte_free_tlb(tlb, table) {
    // tlb_add_flush(tlb, addr): one page at the table's address.
    const at = tlb.geometry.regionStart[table]!;
    tlb.track(at, at + 1);
    tlb.tables.push(table);
  },
  tlb_flush(tlb) {
    if (tlb.fullmm || tlb.vma === null) tlb.flush_tlb_mm();
    else if (tlb.hasRange) {
      tlb.flush_tlb_range(tlb.vma, tlb.range_start, tlb.range_end);
      tlb.resetRange();
    }
  },
  tlb_flush_mmu(tlb) {
    tlb.within('tlb_flush', () => this.tlb_flush(tlb));
    tlb.freeBatch();
  },
};

export default defineBackend({
  id: 'arm-06824ba8',
  summary: 'ARM at 06824ba8 (2.6.38): pages and tables batched and freed after the flush; range flush on the last VMA, flush_tlb_mm without one',
  source: 'L93-L101, L600-L700',
  hardware: { tlb: 'ipi', walkCache: false, icache: 'coherent', speculativeWalks: true },
  gupRef: 'get_page',
  flush: PLAIN_FLUSH,
  hooks: arm06824ba8Hooks,
});
