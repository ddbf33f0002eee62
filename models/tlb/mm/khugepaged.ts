/**
 * khugepaged (mm/khugepaged.c, read in linux-next @2e072a58) collapsing the
 * PTE table of one region into a huge PMD, as kernel agents:
 *
 * - collapse_huge_page (anon): mmap_write_lock, vma_start_write; under the
 *   pmd lock pmdp_collapse_flush (clear the pmd, flush_tlb_range over the
 *   huge page); tlb_remove_table_sync_one with no lock held, so no
 *   interrupts-off walker (gup_fast) still reads the detached table;
 *   pte_offset_map_lock on the detached table; __collapse_huge_page_isolate
 *   gives up if a folio has a reference beyond its mapping (a gup_fast pin);
 *   on failure pmd_populate puts the table back; else the pages are copied
 *   and freed, the table is deposited (reused, not freed) and the huge pmd
 *   installed.
 * - collapse_pte_mapped_thp (file or shmem; mmap_read_lock): the pages are
 *   already parts of a huge folio in the page cache, which holds them.
 *   pte_offset_map_rw_nolock (rcu_read_lock, a snapshot of the pmd), the
 *   PTL, pmd_same against the snapshot; clear the PTEs without a flush
 *   ("left until pmdp_collapse_flush"); the pmd lock, the PTL nested,
 *   pmd_same again, pmdp_collapse_flush; pte_unmap (rcu_read_unlock);
 *   pte_free_defer hands the table to RCU; then the huge pmd.
 *
 * Both work on the page table of the agent's first page, all of its pages.
 */
import { get } from '../../../src/engine/layout.ts';
import type { KernelBuilder } from '../kernel/builder.ts';
import { lockBit, mmapLock, unlockBit } from '../kernel/locks.ts';
import { gupHoldsRef } from './gup.ts';
import { MMAP_READ, MMAP_WRITE, PTE_PRESENT } from '../state.ts';

/** pmd_huge: which regions' pmds map a huge folio (the model does not track its frames). */
export function pmdHugeField(k: KernelBuilder) {
  return k.mmField('pmd_huge', k.g.regions);
}

/** set_pmd_at of the huge mapping under the pmd lock (the folio is not one of the modelled frames). */
function setHugePmd(k: KernelBuilder, r: number, name: string): void {
  const m = k.m;
  const huge = pmdHugeField(k);
  k.step({
    kind: 'pmd',
    name,
    label: () => `install the huge pmd for the pages of table ${m.g.tableOf[r]}`,
    short: () => `huge pmd ${r}`,
    run: (x) => {
      m.setPmd(x.st, r, true);
      x.set(huge, x.get(huge) | (1 << r));
    },
  });
}

/** pmdp_collapse_flush: pmdp_huge_get_and_clear, then flush_tlb_range over the huge page's range. */
function pmdpCollapseFlush(k: KernelBuilder, r: number): void {
  const m = k.m;
  const g = k.g;
  const clear = (): void =>
    k.step({
      kind: 'pmd',
      name: 'pmdp_huge_get_and_clear',
      label: () => `clear the pmd of table ${g.tableOf[r]} (the table is detached, not freed)`,
      short: () => `pmd_clear table ${g.tableOf[r]}`,
      touches: { reads: [m.comp.pmd], writes: [m.comp.pmd] },
      run: (x) => m.setPmd(x.st, r, false),
    });
  const pg = k.pgtable();
  k.within('pmdp_collapse_flush', () => {
    if (pg.pmdp_collapse_flush) return pg.pmdp_collapse_flush(k, r, clear);
    clear();
    k.flush_tlb_range(
      () => -1,
      () => g.regionStart[r]!,
      () => g.regionEnd[r]!,
    );
  });
}

/** What a collapse works on: the region of page `lo`, its PTE table, the pmd lock, its pages and their frames. */
function collapseTarget(k: KernelBuilder, lo: number) {
  const g = k.g;
  const r = g.regionOf[lo]!;
  const s = g.regionStart[r]!;
  const e = g.regionEnd[r]!;
  return { r, t: g.tableOf[r]!, pml: g.tableFrames, s, e, frames: Array.from({ length: e - s }, (_, i) => k.m.frameOf(s + i)) };
}

export function buildCollapseHugePage(k: KernelBuilder, lo: number): void {
  const m = k.m;
  const g = k.g;
  const { r, t, pml, s, e, frames } = collapseTarget(k, lo);
  const ok = k.reg('isolated', 1);
  const held = k.reg('copied', 2 ** m.K - 1);
  const out = k.label();
  const pg = k.pgtable();
  const checkPins = k.mech('isolate-pinned');
  pmdHugeField(k);
  // Between the PTE clear and the free, the collapse holds the old page (isolated from the LRU).
  k.agent.holdsFrame = (st, f) => ((get(st, held) >>> f) & 1) === 1;
  k.within('collapse_huge_page', () => {
    mmapLock(k, MMAP_WRITE);
    k.step({
      kind: 'vma',
      name: 'vma_start_write',
      label: () => 'hugepage_vma_revalidate; vma_start_write: the VMA is write-locked',
      short: () => 'vma_start_write',
      touches: { reads: m.comp.vmas(), writes: m.comp.vmas() },
      run: (x) => {
        for (const v of g.vmas) if (v.start < e && v.end > s) m.setVmaWriteLocked(x.st, v.index, true);
      },
    });
    // find_pmd_or_thp_or_none: nothing to collapse without a PTE table.
    k.if(
      (x) => !m.pmdPresent(x.st, r) || m.pmdHuge(x.st, r),
      () => k.goto(out),
      undefined,
      { reads: [m.comp.pmd], writes: [] },
    );
    lockBit(k, pml, 'pmd_lock', 'the pmd lock');
    pmdpCollapseFlush(k, r);
    unlockBit(k, pml, 'the pmd lock');
    // With no lock held: every CPU has had interrupts on since the pmd was cleared.
    if (k.mech('khugepaged-sync-one')) k.tlb_remove_table_sync_one();
    lockBit(k, t, 'pte_offset_map_lock', `the PTL of table ${t} (detached; through the copy of the pmd)`);
    k.step({
      kind: 'pte',
      name: '__collapse_huge_page_isolate',
      label: (x) => (pinned(x) ? 'a folio has a reference beyond its mapping (gup_fast): give up' : `isolate the folios of pages ${s}-${e - 1}`),
      short: (x) => (pinned(x) ? 'isolate: pinned, give up' : 'isolate folios'),
      run: (x) => x.set(ok, pinned(x) ? 0 : 1),
    });
    unlockBit(k, t, `the PTL of table ${t}`);
    k.if(
      (x) => x.get(ok) === 0,
      () => {
        // Put the table back: pmd_populate under the pmd lock.
        lockBit(k, pml, 'pmd_lock', 'the pmd lock');
        k.step({
          kind: 'pmd',
          name: 'pmd_populate',
          label: () => `put table ${t} back (pmd_populate)`,
          short: () => `pmd_populate table ${t}`,
          touches: { reads: [m.comp.pmd], writes: [m.comp.pmd] },
          run: (x) => m.setPmd(x.st, r, true),
        });
        unlockBit(k, pml, 'the pmd lock');
        k.goto(out);
      },
    );
    k.within('__collapse_huge_page_copy', () => {
      for (let v = s; v < e; v++) {
        const slot = g.slotOf[v]!;
        k.if(
          (x) => m.ptePresent(x.st, slot),
          () => {
            k.step({
              kind: 'pte',
              name: 'clear_ptes',
              // __collapse_huge_page_copy: the old page's contents move to the huge page here.
              copies: () => m.frameOf(v),
              label: () => `page ${v} is copied into the huge page: clear its PTE (its mapping's reference goes to this path)`,
              short: () => `copy p${v}, clear PTE`,
              touches: { reads: [m.comp.pte(slot)], writes: [m.comp.pte(slot)] },
              run: (x) => {
                m.setPteBits(x.st, slot, 0);
                k.ptepXchg(x, v, false);
                x.set(held, x.get(held) | (1 << m.frameOf(v)));
              },
            });
            pg.pte_changed(k, () => v, () => false);
            k.step({
              kind: 'free',
              name: 'free_folio_and_swap_cache',
              label: () => `free the old page of page ${v}`,
              short: () => `free frame ${m.frameOf(v)}`,
              run: (x) => {
                x.set(held, x.get(held) & ~(1 << m.frameOf(v)));
                m.releaseFrame(x.st, m.frameOf(v));
              },
            });
          },
          undefined,
          { reads: [m.comp.pte(slot)], writes: [] },
        );
      }
    });
    lockBit(k, pml, 'pmd_lock', 'the pmd lock');
    // pgtable_trans_huge_deposit: table t stays allocated, off the pmd.
    setHugePmd(k, r, 'map_anon_folio_pmd_nopf');
    unlockBit(k, pml, 'the pmd lock');
    k.place(out);
    k.ret({ mmap: true });
  });

  function pinned(x: import('../kernel/exec.ts').Exec): boolean {
    if (!m.feat.gup || !checkPins) return false;
    for (let c = 0; c < m.N; c++) if (gupHoldsRef(m.gupStage(x.st, c)) && frames.includes(m.frameOf(m.gupPage(x.st, c)))) return true;
    return false;
  }
}

export function buildCollapsePteMappedThp(k: KernelBuilder, lo: number): void {
  const m = k.m;
  const g = k.g;
  const a = k.agent;
  const { r, t, pml, s, e, frames } = collapseTarget(k, lo);
  const rcu = k.reg('rcu_read', 1);
  const out = k.label();
  const unlocked = k.label();
  pmdHugeField(k);
  // The page cache holds the huge folio, whose parts the small pages are: clearing the PTEs frees nothing.
  a.holdsFrame = (_s, f) => frames.includes(f);
  const same = (x: import('../kernel/exec.ts').Exec): boolean => m.pmdPresent(x.st, r) && !m.pmdHuge(x.st, r);
  k.within('collapse_pte_mapped_thp', () => {
    mmapLock(k, MMAP_READ);
    k.within('pte_offset_map_rw_nolock', () =>
      k.step({
        kind: 'lock',
        name: '__pte_offset_map',
        label: (x) => (same(x) ? `rcu_read_lock; snapshot the pmd of table ${t}` : `the pmd of table ${t} is not a PTE table: nothing to collapse`),
        short: (x) => (same(x) ? `rcu_read_lock, pmd t${t}` : 'no PTE table'),
        targets: [out],
        run: (x) => {
          if (!same(x)) return out.pc;
          x.set(rcu, 1);
        },
      }),
    );
    lockBit(k, t, 'spin_lock', `the PTL of table ${t}`);
    k.step({
      kind: 'lock',
      name: 'pmd_same',
      label: (x) => (same(x) ? 'pmd_same: the pmd still points at the snapshot' : 'pmd_same fails: the pmd changed since the snapshot; give up'),
      short: (x) => (same(x) ? 'pmd_same' : 'pmd changed'),
      targets: [unlocked],
      touches: { reads: [m.comp.pmd], writes: [] },
      run: (x) => (same(x) ? undefined : unlocked.pc),
    });
    // clear_ptes, with no TLB flush: "left until pmdp_collapse_flush()".
    for (let v = s; v < e; v++) {
      const slot = g.slotOf[v]!;
      k.if(
        (x) => (m.pteBits(x.st, slot) & PTE_PRESENT) !== 0,
        () => {
          k.step({
            kind: 'pte',
            name: 'clear_ptes',
            label: () => `clear the PTE of page ${v} (no flush yet; folio_remove_rmap_ptes)`,
            short: () => `clear PTE page ${v}`,
            touches: { reads: [m.comp.pte(slot)], writes: [m.comp.pte(slot)] },
            run: (x) => {
              m.setPteBits(x.st, slot, 0);
              k.ptepXchg(x, v, false);
            },
          });
          // What the arch does at a PTE clear still happens (s390 IPTE, hash and sparc64 flushes).
          k.pgtable().pte_changed(k, () => v, () => false);
        },
        undefined,
        { reads: [m.comp.pte(slot)], writes: [] },
      );
    }
    unlockBit(k, t, `the PTL of table ${t}`);
    lockBit(k, pml, 'pmd_lock', 'the pmd lock');
    // The second pmd_same cannot fail here: only this agent changes pmds (config.ts keeps it the only kernel agent).
    lockBit(k, t, 'spin_lock_nested', `the PTL of table ${t}`);
    pmdpCollapseFlush(k, r);
    unlockBit(k, t, `the PTL of table ${t}`);
    unlockBit(k, pml, 'the pmd lock');
    k.step({
      kind: 'lock',
      name: 'pte_unmap',
      label: () => 'rcu_read_unlock',
      short: () => 'rcu_read_unlock',
      run: (x) => {
        x.set(rcu, 0);
        m.leaveRcuReader(x.st, x.cpu);
      },
    });
    // mm_dec_nr_ptes; pte_free_defer: the table goes after a grace period.
    if (k.mech('pte_free_defer')) k.call_rcu_one(t, 'pte_free_defer');
    else k.free_table(() => t, 'pte_free');
    lockBit(k, pml, 'pmd_lock', 'the pmd lock');
    setHugePmd(k, r, 'set_huge_pmd');
    unlockBit(k, pml, 'the pmd lock');
    k.goto(out);
    k.place(unlocked);
    unlockBit(k, t, `the PTL of table ${t}`);
    k.step({
      kind: 'lock',
      name: 'pte_unmap',
      label: () => 'rcu_read_unlock',
      short: () => 'rcu_read_unlock',
      run: (x) => {
        x.set(rcu, 0);
        m.leaveRcuReader(x.st, x.cpu);
      },
    });
    k.place(out);
    k.ret({ mmap: true });
  });
}

