/**
 * The flush primitives and IPI delivery, stepped by hand on crafted states,
 * against effects worked out from DOMAIN §2.
 */
import { describe, expect, it } from 'vitest';
import { get, set } from '../src/engine/layout.ts';
import { FREE, LIVE } from '../models/tlb/state.ts';
import type { State } from '../src/engine/model.ts';
import { check } from '../src/engine/check.ts';
import type { TlbModel } from '../models/tlb/index.ts';
import { GUP_READ_PTE } from '../models/tlb/mm/gup.ts';
import { enabled, take, tlb, unmapUntil } from './tlb-helpers.ts';

/** Sets CPU c's TLB, walk cache, walk in flight and i-cache lines. */
function withCpu(m: TlbModel, s: State, c: number, v: { tlb?: number[]; wc?: number[]; walk?: number; icache?: number[] }): State {
  const k = m.machine;
  const out = Uint32Array.from(s);
  for (const p of v.tlb ?? []) set(out, k.tlbF[c]!, get(out, k.tlbF[c]!) | (1 << p));
  for (const t of v.wc ?? []) set(out, k.wcF[c]!, get(out, k.wcF[c]!) | (1 << t));
  if (v.walk !== undefined) set(out, k.walkF[c]!, v.walk + 1);
  for (const f of v.icache ?? []) k.setIcLine(out, c, f, 1);
  return out;
}

function cpuView(m: TlbModel, s: State, c: number) {
  const k = m.machine;
  return {
    tlb: [0, 1, 2, 3].filter((p) => p < k.V && k.tlbHas(s, c, p)),
    wc: [0, 1, 2, 3].filter((t) => t < k.R && k.wcHas(s, c, t)),
    walk: k.walkPage(s, c),
    icache: [0, 1, 2, 3].filter((f) => f < k.K && k.icLine(s, c, f) > 0),
  };
}

describe('flush primitives', () => {
  // s390-fullmm's first op is flush_tlb_mm (at tlb_gather_mmu); arm-2.6.37's
  // unmap_region has flush_tlb_range at tlb_end_vma.
  it('flush_tlb_mm by broadcast drops every TLB entry, walk-cache entry and walk in flight on every CPU at once', () => {
    const m = tlb({ backend: 's390-fullmm', path: 'exit_mmap', cpus: 3, pages: 2, tables: 2, walker: 'all' });
    let s = m.initialStates()[0]!;
    s = withCpu(m, s, 0, { tlb: [0], wc: [0] });
    s = withCpu(m, s, 1, { tlb: [0, 1], wc: [1], walk: 1 });
    s = withCpu(m, s, 2, { walk: 0 });
    const t = take(m, s, 'cpu0 exit_mmap step');
    for (const c of [0, 1, 2]) expect(cpuView(m, t, c)).toEqual({ tlb: [], wc: [], walk: -1, icache: [] });
  });

  it('flush_tlb_range (per page) drops only the range, the walk-cache entries of regions it overlaps, and (--walk-flush region) walks in flight there', () => {
    const m = tlb({ backend: 'arm-2.6.37', path: 'zap_page_range', cpus: 3, pages: 2, vmas: 2, tables: 2, 'walk-cache': 'on', tlb: 'broadcast', 'walk-flush': 'region' });
    // ops: clear 0, free 0, flush [0,1) (vma0), clear 1, free 1, flush [1,2) (vma1), return
    let s = m.initialStates()[0]!;
    s = unmapUntil(m, s, 'pte');
    s = take(m, s, 'cpu0 zap_page_range step'); // clear 0
    s = take(m, s, 'cpu0 zap_page_range step'); // free 0
    s = withCpu(m, s, 1, { tlb: [0, 1], wc: [0, 1], walk: 1 });
    s = withCpu(m, s, 2, { walk: 0 });
    expect(m.machine.kagents[0]!.next(s)!.kind).toBe('flush');
    const t = take(m, s, 'cpu0 zap_page_range step');
    // Page 0 and region 0 go; page 1, region 1 and the walk of page 1 stay; the walk of page 0 is abandoned.
    expect(cpuView(m, t, 1)).toEqual({ tlb: [1], wc: [1], walk: 1, icache: [] });
    expect(cpuView(m, t, 2)).toEqual({ tlb: [], wc: [], walk: -1, icache: [] });
  });

  it('--walk-flush: barrier ends every walk in flight, address only walks of the pages flushed', () => {
    const walksAfterFlush = (mode: string): number[] => {
      const m = tlb({ backend: 'arm-2.6.37', path: 'zap_page_range', cpus: 3, pages: 2, vmas: 2, tables: 1, tlb: 'broadcast', 'walk-flush': mode });
      let s = m.initialStates()[0]!;
      s = take(m, s, 'cpu0 zap_page_range step'); // clear 0
      s = take(m, s, 'cpu0 zap_page_range step'); // free 0
      s = withCpu(m, s, 1, { walk: 1 });
      s = withCpu(m, s, 2, { walk: 0 });
      const t = take(m, s, 'cpu0 zap_page_range step'); // flush_tlb_range page 0
      return [cpuView(m, t, 1).walk, cpuView(m, t, 2).walk];
    };
    expect(walksAfterFlush('barrier')).toEqual([-1, -1]);
    expect(walksAfterFlush('region')).toEqual([-1, -1]); // one table: page 1 is under the flushed region
    expect(walksAfterFlush('address')).toEqual([1, -1]);
  });

  it('Tile 2.6.38: a range flush with a non-VM_EXEC VMA leaves i-cache lines; flush_tlb_mm evicts them', () => {
    const range = tlb({ backend: 'tile-2.6.38', path: 'zap_page_range', cpus: 2, pages: 2, vmas: 2, 'exec-mask': 1 });
    let s = range.initialStates()[0]!;
    expect(cpuView(range, s, 1).icache).toEqual([0]); // the exec page's line, from before the unmap
    s = unmapUntil(range, s, 'flush');
    const t = take(range, s, 'cpu0 zap_page_range step');
    expect(cpuView(range, t, 1).icache).toEqual([0]);
    const mm = tlb({ backend: 'tile-2.6.38', path: 'exit_mmap', cpus: 2, pages: 2, vmas: 2, 'exec-mask': 1, walker: 'off' });
    let u = mm.initialStates()[0]!;
    expect(cpuView(mm, u, 0).icache).toEqual([0]);
    u = unmapUntil(mm, u, 'flush');
    expect(cpuView(mm, take(mm, u, 'cpu0 exit_mmap step'), 0).icache).toEqual([]);
  });
});

describe('IPI delivery', () => {
  it('the initiator flushes itself at once; each target flushes when it handles the IPI; the initiator waits for every ack', () => {
    const m = tlb({ backend: 'generic', path: 'unmap_region', cpus: 3, pages: 1, tlb: 'ipi' });
    let s = m.initialStates()[0]!;
    s = withCpu(m, s, 0, { tlb: [0] });
    s = withCpu(m, s, 1, { tlb: [0] });
    s = withCpu(m, s, 2, { tlb: [0] });
    s = unmapUntil(m, s, 'flush');
    s = take(m, s, 'cpu0 unmap_region step');
    expect(cpuView(m, s, 0).tlb).toEqual([]);
    expect(cpuView(m, s, 1).tlb).toEqual([0]);
    expect(enabled(m, s, 'cpu0 unmap_region step')).toBe(false);
    s = take(m, s, 'cpu1 handles the flush IPI of cpu0 unmap_region');
    expect(cpuView(m, s, 1).tlb).toEqual([]);
    expect(enabled(m, s, 'cpu0 unmap_region step')).toBe(false);
    s = take(m, s, 'cpu2 handles the flush IPI of cpu0 unmap_region');
    expect(enabled(m, s, 'cpu0 unmap_region step')).toBe(true);
  });

  it('an IPI to a CPU with interrupts disabled (gup_fast) waits until they are enabled', () => {
    const m = tlb({ backend: 'x86-2.6.38', path: 'unmap_region', cpus: 2, pages: 1, gup: 1, accessors: 1 });
    let s = m.initialStates()[0]!;
    s = take(m, s, 'cpu1 gup_fast(page 0)'); // local_irq_disable
    s = take(m, s, 'cpu1 gup_fast step'); // read pmd
    expect(m.machine.gupStage(s, 1)).toBe(GUP_READ_PTE);
    s = unmapUntil(m, s, 'flush');
    s = take(m, s, 'cpu0 unmap_region step'); // flush_tlb_mm: IPI to cpu1
    expect(m.machine.irqsOff(s, 1)).toBe(true);
    expect(enabled(m, s, 'cpu1 handles the flush IPI of cpu0 unmap_region')).toBe(false);
    expect(enabled(m, s, 'cpu0 unmap_region step')).toBe(false); // the page cannot be freed yet
    s = take(m, s, 'cpu1 gup_fast step'); // read PTE: cleared, bail out, irqs on
    expect(m.machine.irqsOff(s, 1)).toBe(false);
    expect(enabled(m, s, 'cpu1 handles the flush IPI of cpu0 unmap_region')).toBe(true);
  });

  it('with broadcast the flush does not wait for the interrupts-off walk', () => {
    const m = tlb({ backend: 'x86-2.6.38', path: 'unmap_region', cpus: 2, pages: 1, gup: 1, accessors: 1, tlb: 'broadcast' });
    let s = m.initialStates()[0]!;
    s = take(m, s, 'cpu1 gup_fast(page 0)');
    s = take(m, s, 'cpu1 gup_fast step');
    s = unmapUntil(m, s, 'flush');
    s = take(m, s, 'cpu0 unmap_region step');
    expect(enabled(m, s, 'cpu0 unmap_region step')).toBe(true);
  });

  it('an initiator waiting with interrupts off for a CPU that waits on it with interrupts off is a deadlock', () => {
    const base = { backend: 'generic', path: 'unmap_region', cpus: 2, accessors: 0, walker: 'off', flusher: true };
    const r = check(tlb({ ...base, 'unmapper-irqs-off': true, 'flusher-irqs-off': true }));
    expect(r.verdict).toBe('violated');
    expect(r.violations[0]!.property).toBe('no-deadlock');
    // Either side answering IPIs breaks the cycle.
    expect(check(tlb({ ...base, 'unmapper-irqs-off': true, 'flusher-irqs-off': false })).verdict).toBe('holds');
    expect(check(tlb({ ...base, 'unmapper-irqs-off': false, 'flusher-irqs-off': true })).verdict).toBe('holds');
  });
});

describe('gup_fast references', () => {
  it('a reference taken before the unmapper drops its own keeps the frame pinned until put_page, which frees it', () => {
    const m = tlb({ backend: 'x86-2.6.38', path: 'unmap_region', cpus: 2, pages: 1, gup: 1, accessors: 1 });
    let s = m.initialStates()[0]!;
    for (let i = 0; i < 4; i++) s = take(m, s, i === 0 ? 'cpu1 gup_fast(page 0)' : 'cpu1 gup_fast step'); // irq off, pmd, PTE, get_page
    s = take(m, s, 'cpu1 gup_fast step'); // local_irq_enable
    s = unmapUntil(m, s, 'flush');
    s = take(m, s, 'cpu0 unmap_region step');
    s = take(m, s, 'cpu1 handles the flush IPI of cpu0 unmap_region');
    s = take(m, s, 'cpu0 unmap_region step'); // free page 0: pinned
    // The mm's reference went with the free; gup_fast's keeps the frame live.
    expect(m.machine.frameState(s, 0)).toBe(LIVE);
    expect(m.machine.frameHeld(s, 0)).toBe(true);
    s = take(m, s, 'cpu1 gup_fast step'); // put_page frees it
    expect(m.machine.frameState(s, 0)).toBe(FREE);
  });
});
