/**
 * Today's kernel on the run-time mmu_gather: the gather's rules worked out
 * by hand from mm/mmu_gather.c and mm/memory.c (the nested-flush rule, a full
 * batch forcing a flush under the PTL, the pending counter's order), PTL
 * blocking, reclaim's batched generations, and invariant 6 per syscall.
 */
import { describe, expect, it } from 'vitest';
import { get } from '../src/engine/layout.ts';
import { check } from '../src/engine/check.ts';
import { tlbFactory } from '../models/tlb/index.ts';
import { TLB_PARAMS } from '../models/tlb/config.ts';
import { actionIndex, enabled, kstep, soloRun, take, tlb } from './tlb-helpers.ts';

const v6 = { backend: 'generic-6.18', cpus: 2, pages: 2, vmas: 1, accessors: 0, walker: 'off', allocator: false };

describe('the run-time mmu_gather (generic-6.18)', () => {
  it('munmap alone: write lock, detach, downgrade, gather (pending+1), zap under the PTL, unlink, pmd_clear, flush, frees, pending-1, return', () => {
    expect(soloRun(tlb({ ...v6, run: 'cpu0=munmap' }))).toEqual([
      'mmap_write_lock',
      'detach vma0',
      'mmap_write_downgrade',
      'tlb_flush_pending++',
      'lock PTL t0',
      'clear PTE page 0',
      'clear PTE page 1',
      'unlock PTL t0',
      // tlb_end_vma (no MERGE_VMAS): the VMA's range, the page batch stays.
      'flush_tlb_range pages=11 regions=1',
      'unlink vma0',
      'pmd_clear 0',
      'not nested',
      // pte_free_tlb marked one page at the table's address (tlb_flush_pmd_range), freed_tables set.
      'flush_tlb_range pages=1 regions=1',
      'free page 0',
      'free page 1',
      'free table 0',
      'tlb_flush_pending--',
      'return',
    ]);
  });

  it('MMU_GATHER_MERGE_VMAS: tlb_end_vma does not flush; one flush at tlb_finish_mmu covers the pages and the table', () => {
    const log = soloRun(tlb({ ...v6, run: 'cpu0=munmap', kconfig: 'MMU_GATHER_MERGE_VMAS=y' }));
    expect(log.filter((l) => l.startsWith('flush'))).toEqual(['flush_tlb_range pages=11 regions=1']);
    expect(log.indexOf('flush_tlb_range pages=11 regions=1')).toBeLessThan(log.indexOf('free page 0'));
  });

  it('a full page batch (--batch 1) forces the TLB flush under the PTL, then the free after unlocking, then the walk resumes', () => {
    expect(soloRun(tlb({ ...v6, run: 'cpu0=madvise_dontneed', batch: 1 }))).toEqual([
      'tlb_flush_pending++',
      'vma0 read lock',
      'lock PTL t0',
      'clear PTE page 0',
      'flush_tlb_range pages=1 regions=1',
      'unlock PTL t0',
      'free page 0',
      'lock PTL t0',
      'clear PTE page 1',
      'flush_tlb_range pages=10 regions=1',
      'unlock PTL t0',
      'free page 1',
      'vma_end_read',
      'not nested',
      'tlb_flush_pending--',
      'return',
    ]);
  });

  it('the nested rule: a gather that finishes while another is in flight flushes the whole mm with freed_tables', () => {
    const m = tlb({ ...v6, run: 'cpu0=madvise_dontneed,cpu1=madvise_dontneed', cpus: 2 });
    const a = m.machine.kagents[0]!;
    const b = m.machine.kagents[1]!;
    let s = m.initialStates()[0]!;
    s = take(m, s, kstep(m, 0)); // A: tlb_flush_pending 0 -> 1
    expect(m.machine.flushPending(s)).toBe(1);
    // B runs to its tlb_finish_mmu: it finds every PTE still present... so let A clear them first.
    for (let i = 0; i < 4; i++) s = take(m, s, kstep(m, 0)); // A: vma lock, PTL, clear 0, clear 1
    for (let guard = 0; guard < 20 && b.next(s)?.stack.at(-1) !== 'mm_tlb_flush_nested'; guard++) {
      s = enabled(m, s, kstep(m, 1)) ? take(m, s, kstep(m, 1)) : take(m, s, kstep(m, 0));
    }
    expect(b.next(s)!.stack.at(-1)).toBe('mm_tlb_flush_nested');
    expect(m.machine.flushPending(s)).toBe(2);
    expect(get(s, b.revoked)).toBe(0b11); // B found both PTEs cleared
    s = take(m, s, kstep(m, 1));
    const t = b.view(s).tlb;
    expect([t.fullmm, t.freed_tables, t.hasRange]).toEqual([true, true, false]);
    expect(b.next(s)!.stack.at(-1)).toBe('flush_tlb_mm');
    void a;
  });

  it('the pending counter goes up before any PTL is taken and down only after the flush and the frees', () => {
    const log = soloRun(tlb({ ...v6, run: 'cpu0=madvise_dontneed' }));
    expect(log.indexOf('tlb_flush_pending++')).toBeLessThan(log.indexOf('lock PTL t0'));
    expect(log.indexOf('tlb_flush_pending--')).toBe(log.length - 2);
    expect(log.indexOf('free page 1')).toBeLessThan(log.indexOf('tlb_flush_pending--'));
  });

  it('a step that needs a PTL another agent holds is not enabled, and says why', () => {
    const m = tlb({ ...v6, run: 'cpu0=madvise_dontneed,cpu1=madvise_dontneed' });
    let s = m.initialStates()[0]!;
    for (let i = 0; i < 3; i++) s = take(m, s, kstep(m, 0)); // A: pending++, vma lock, PTL t0
    for (let i = 0; i < 2; i++) s = take(m, s, kstep(m, 1)); // B: pending++, vma lock (shared)
    expect(m.machine.kagents[1]!.next(s)!.stack.at(-1)).toBe('pte_offset_map_lock');
    expect(enabled(m, s, kstep(m, 1))).toBe(false);
    expect(m.whyDisabled!(s, actionIndex(m, kstep(m, 1)))).toBe('another agent holds the PTL of table 0');
    s = take(m, s, kstep(m, 0)); // clear 0
    s = take(m, s, kstep(m, 0)); // clear 1
    s = take(m, s, kstep(m, 0)); // unlock
    expect(enabled(m, s, kstep(m, 1))).toBe(true);
  });

  it("reclaim's deferred flush raises tlb_flush_batched; munmap under the PTL sees it and flushes the mm before going on", () => {
    const m = tlb({ ...v6, run: 'cpu0=reclaim:0,cpu1=munmap', cpus: 2 });
    const mach = m.machine;
    const log = soloRun(m, [0, 1]);
    // Reclaim runs first (to the end: it flushes before freeing); munmap then finds the generations equal.
    expect(log.slice(0, 4)).toEqual(['isolate frame 0', 'lock PTL t0', 'reclaim: clear PTE p0', 'unlock PTL t0']);
    // Stop reclaim right after its clear: munmap must flush on reclaim's behalf.
    let s = m.initialStates()[0]!;
    for (let i = 0; i < 4; i++) s = take(m, s, kstep(m, 0));
    expect([get(s, mach.batchedPendingF!), get(s, mach.batchedFlushedF!)]).toEqual([1, 0]);
    const mlog: string[] = [];
    for (let guard = 0; guard < 12 && mlog.at(-1) !== 'tlb_flush_batched cmpxchg'; guard++) {
      const ack = 'cpu0 handles the flush IPI of cpu1 munmap';
      if (enabled(m, s, ack)) s = take(m, s, ack);
      mach.log = mlog;
      s = take(m, s, kstep(m, 1));
      mach.log = undefined;
    }
    expect(mlog.slice(-3)).toEqual(['lock PTL t0', 'flush_tlb_mm pages=11 regions=1', 'tlb_flush_batched cmpxchg']);
    expect([get(s, mach.batchedPendingF!), get(s, mach.batchedFlushedF!)]).toEqual([1, 1]);
  });
});

describe('invariant 6 per syscall', () => {
  const defaults = Object.fromEntries(TLB_PARAMS.map((p) => [p.name, p.default]));
  const run = (p: Record<string, string | number | boolean>) => check(tlbFactory.create({ ...defaults, ...v6, cpus: 3, accessors: 'auto', walker: 'auto', allocator: true, ...p }), { all: true });

  it('madvise that finds the PTEs another madvise cleared must not return before that flush (nested rule)', () => {
    const on = run({ run: 'cpu0=madvise_dontneed,cpu1=madvise_dontneed' });
    expect(on.verdict).toBe('holds');
    const off = run({ run: 'cpu0=madvise_dontneed,cpu1=madvise_dontneed', without: 'nested-flush' });
    expect(off.violations.map((v) => v.property)).toEqual(['tlb-coherent-at-return']);
    expect(off.violations[0]!.path.length).toBe(15);
  });

  it('mprotect that finds a PTE reclaim cleared must flush what reclaim deferred (flush_tlb_batched_pending)', () => {
    const off = run({ run: 'cpu0=mprotect,cpu1=reclaim', without: 'flush_tlb_batched_pending' });
    expect(off.violations.map((v) => v.property)).toEqual(['tlb-coherent-at-return']);
  });

  it('MADV_FREE promises only that writes are noticed: a read-only stale entry at its return is no violation', () => {
    expect(run({ run: 'cpu0=madvise_free,cpu1=reclaim' }).verdict).toBe('holds');
  });
});

describe('why and list', () => {
  it('the ablation list names exactly the mechanisms the configuration consults', () => {
    const p = { ...Object.fromEntries(TLB_PARAMS.map((x) => [x.name, x.default])), ...v6, run: 'cpu0=munmap,cpu1=reclaim' };
    expect(tlbFactory.ablations!(p).map((a) => a.id)).toEqual(['tlb_flush_pending', 'nested-flush', 'flush_tlb_batched_pending', 'try_to_unmap_flush', 'try_to_unmap_flush_dirty', 'ptl', 'vma-detach']);
    const q = { ...p, run: 'cpu0=mremap' };
    expect(tlbFactory.ablations!(q).map((a) => a.id)).toContain('mremap-flush-under-ptl');
    expect(tlbFactory.ablations!(q).map((a) => a.id)).not.toContain('try_to_unmap_flush');
  });
});

describe('the table-free pipeline (MMU_GATHER_RCU_TABLE_FREE)', () => {
  const rcu = { ...v6, run: 'cpu0=munmap', kconfig: 'MMU_GATHER_RCU_TABLE_FREE=y', cpus: 2 };

  it('the first table allocates the table batch; the tables go to call_rcu after the flush and before the pages are freed', () => {
    const log = soloRun(tlb(rcu));
    const at = (s: string): number => log.indexOf(s);
    expect(log).toContain('table batch page');
    expect(at('pmd_clear 0')).toBeLessThan(at('table batch page'));
    expect(at('flush_tlb_range pages=1 regions=1')).toBeLessThan(at('call_rcu tables=1'));
    expect(at('call_rcu tables=1')).toBeLessThan(at('free page 0'));
    expect(log).not.toContain('free table 0');
  });

  it('when the batch page cannot be allocated: invalidate (walk caches included), tlb_remove_table_sync_one, then free the table at once', () => {
    const m = tlb(rcu);
    const mach = m.machine;
    let s = m.initialStates()[0]!;
    const log: string[] = [];
    const fail = `${kstep(m)} (outcome 1)`;
    for (let guard = 0; guard < 60 && !mach.kagents[0]!.done(s); guard++) {
      const ack = 'cpu1 handles the flush IPI of cpu0 munmap';
      if (enabled(m, s, ack)) {
        s = take(m, s, ack);
        continue;
      }
      const act = enabled(m, s, fail) ? fail : kstep(m);
      mach.log = log;
      s = take(m, s, act);
      mach.log = undefined;
    }
    const i = log.indexOf('table batch: no page');
    expect(i).toBeGreaterThan(0);
    expect(log.slice(i + 1, i + 4)).toEqual(['flush_tlb_range pages=1 regions=1', 'tlb_remove_table_sync_one pages=0 regions=0', 'free table 0']);
    expect(log).not.toContain('call_rcu tables=1');
  });

  it('on broadcast hardware gup_fast is safe only with both: RCU for the batch, the sync IPI for the table freed alone', () => {
    const defaults = Object.fromEntries(TLB_PARAMS.map((p) => [p.name, p.default]));
    const p = { ...defaults, backend: 'generic-6.18', run: 'cpu0=munmap', cpus: 3, pages: 2, vmas: 1, gup: 1, tlb: 'broadcast', kconfig: 'MMU_GATHER_RCU_TABLE_FREE=y' };
    const verdict = (extra: Record<string, string>) => {
      const r = check(tlbFactory.create({ ...p, ...extra }), { all: true });
      return [r.verdict, [...new Set(r.violations.map((v) => v.property))]];
    };
    expect(verdict({})).toEqual(['holds', []]);
    expect(verdict({ without: 'rcu-table-free' })).toEqual(['violated', ['no-walk-of-freed-table']]);
    expect(verdict({ without: 'tlb_remove_table_sync_one' })).toEqual(['violated', ['no-walk-of-freed-table']]);
    expect(verdict({ kconfig: '' })).toEqual(['violated', ['no-walk-of-freed-table']]);
  });
});
