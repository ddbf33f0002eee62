/**
 * Today's arches (models/tlb/arch/<arch>/tlb-6.18.ts): what each one's
 * flushes drop and where they go, worked out by hand from the arch sources
 * the backend files name; CPU contexts and x86's lazy-CPU rules; khugepaged.
 */
import { describe, expect, it } from 'vitest';
import { get } from '../src/engine/layout.ts';
import { check } from '../src/engine/check.ts';
import { resolveConfig, TLB_PARAMS } from '../models/tlb/config.ts';
import { tlbFactory } from '../models/tlb/index.ts';
import { CTX_LAZY, CTX_OTHER, CTX_USER } from '../models/tlb/state.ts';
import { kstep, soloRun, take, tlb, unmapUntil } from './tlb-helpers.ts';

const solo = { cpus: 2, pages: 2, vmas: 1, accessors: 0, walker: 'off', allocator: false };
const tlbis = (log: string[]) => log.filter((l) => l.startsWith('tlbi'));

describe('level-aware flushes', () => {
  it('arm64: madvise flushes leaf entries only (VALE1IS: no walk-cache region), munmap then drops the walk cache of the freed table (VAE1IS)', () => {
    expect(tlbis(soloRun(tlb({ ...solo, backend: 'arm64-6.18', run: 'cpu0=madvise_dontneed', span: 1 })))).toEqual([
      'tlbi pages=11 regions=0 reach=mm broadcast leaf=2 all=0 full=0',
    ]);
    const log = soloRun(tlb({ ...solo, backend: 'arm64-6.18', run: 'cpu0=munmap', span: 1 }));
    expect(tlbis(log)).toEqual(['tlbi pages=11 regions=0 reach=mm broadcast leaf=2 all=0 full=0', 'tlbi pages=11 regions=1 reach=mm broadcast leaf=0 all=1 full=0']);
    // The table goes to RCU only after the walk-cache invalidation.
    expect(log.indexOf('call_rcu tables=1')).toBeGreaterThan(log.indexOf('tlbi pages=11 regions=1 reach=mm broadcast leaf=0 all=1 full=0'));
  });

  it('arm64 with a table of 512 real pages: 512 strides reach MAX_DVM_OPS, so the VMA flush is one ASIDE1IS (full)', () => {
    expect(tlbis(soloRun(tlb({ ...solo, backend: 'arm64-6.18', run: 'cpu0=madvise_dontneed' })))).toEqual(['tlbi pages=11 regions=1 reach=mm broadcast leaf=0 all=0 full=1']);
  });

  it('x86: INVLPG per page drops every paging-structure-cache entry; without freed tables it reaches only CPUs running the mm', () => {
    expect(tlbis(soloRun(tlb({ ...solo, backend: 'x86-6.18', run: 'cpu0=madvise_dontneed', span: 1 })))).toEqual(['tlbi pages=11 regions=1 reach=active ipi leaf=0 all=2 full=0']);
    // 2 pages of 256 real pages each: 512 strides > 33, FLUSH_ALL.
    expect(tlbis(soloRun(tlb({ ...solo, backend: 'x86-6.18', run: 'cpu0=madvise_dontneed' })))).toEqual(['tlbi pages=11 regions=1 reach=active ipi leaf=0 all=0 full=1']);
  });

  it('powerpc radix: one RIC=1 for the page-walk cache plus RIC=0 per page when tables were freed; riscv: leaf-only sfence.vma', () => {
    expect(tlbis(soloRun(tlb({ ...solo, backend: 'powerpc-radix-6.18', run: 'cpu0=munmap', span: 1 })))).toEqual(['tlbi pages=11 regions=1 reach=mm broadcast leaf=2 all=1 full=0']);
    expect(tlbis(soloRun(tlb({ ...solo, backend: 'riscv-6.18', run: 'cpu0=madvise_dontneed', span: 1 })))).toEqual(['tlbi pages=11 regions=0 reach=mm ipi leaf=2 all=0 full=0']);
  });

  it('s390: IPTE in the clear itself, the page freed at once, IDTE before the table goes to RCU', () => {
    const log = soloRun(tlb({ ...solo, backend: 's390-6.18', run: 'cpu0=munmap' }));
    expect(log.slice(log.indexOf('lock PTL t0'), log.indexOf('unlock PTL t0') + 1)).toEqual([
      'lock PTL t0',
      'tlbi pages=1 regions=0 reach=mm broadcast leaf=256 all=0 full=0',
      'free frame 0',
      'tlbi pages=10 regions=0 reach=mm broadcast leaf=256 all=0 full=0',
      'free frame 1',
      'unlock PTL t0',
    ]);
    expect(log.indexOf('call_rcu tables=1')).toBeGreaterThan(log.indexOf('tlbi pages=11 regions=1 reach=mm broadcast leaf=0 all=0 full=1'));
  });

  it('powerpc hash and sparc64: the lazy-MMU batch is flushed before the PTL is dropped', () => {
    const hash = soloRun(tlb({ ...solo, backend: 'powerpc-hash-6.18', run: 'cpu0=madvise_dontneed' }));
    expect(hash.slice(hash.indexOf('clear PTE page 1') + 1, hash.indexOf('unlock PTL t0') + 1)).toEqual(['tlbi pages=11 regions=0 reach=mm broadcast leaf=512 all=0 full=0', 'unlock PTL t0']);
    const sparc = soloRun(tlb({ ...solo, backend: 'sparc64-6.18', run: 'cpu0=mremap' }));
    expect(sparc.slice(sparc.indexOf('move PTE 1 -> 3') + 1, sparc.indexOf('unlock PTL t0') + 1)).toEqual([
      'tlbi pages=11 regions=0 reach=mm ipi leaf=512 all=0 full=0',
      'unlock PTL t1',
      'unlock PTL t0',
    ]);
  });

  it('Kconfig as data: sparc64 has no gup_fast and no HAVE_MOVE_PMD (mremap moves PTE by PTE)', () => {
    const d = Object.fromEntries(TLB_PARAMS.map((p) => [p.name, p.default]));
    expect(() => resolveConfig({ ...d, backend: 'sparc64-6.18', gup: 1 })).toThrow(/no gup_fast/);
    expect(resolveConfig({ ...d, backend: 'sparc64-6.18', run: 'cpu0=mremap', pages: 2 }).mremap).toBe('ptes');
    expect(resolveConfig({ ...d, backend: 'x86-6.18', run: 'cpu0=mremap', pages: 2 }).mremap).toBe('pmd');
  });
});

describe('CPU contexts (x86 lazy TLB)', () => {
  const lazy = { backend: 'x86-6.18', cpus: 2, pages: 2, vmas: 1, accessors: 1, switch: 1, walker: 'off', allocator: false, span: 1 };

  it("a leaf-only flush skips a lazy CPU, which falls behind on tlb_gen; switching back flushes its TLB", () => {
    const m = tlb({ ...lazy, run: 'cpu0=madvise_dontneed' });
    const mach = m.machine;
    let s = m.initialStates()[0]!;
    s = take(m, s, 'cpu1 walker starts a walk of page 0');
    s = take(m, s, 'cpu1 walker reads the PTE');
    expect(mach.tlbHas(s, 1, 0)).toBe(true);
    s = take(m, s, 'cpu1 switches to a kernel thread (enter_lazy_tlb: lazy, CR3 kept)');
    expect(mach.cpuCtx(s, 1)).toBe(CTX_LAZY);
    s = unmapUntil(m, s, 'free');
    // The flush went by: no IPI to cpu1, which is now behind and still caches page 0.
    expect(mach.inbox(s, 1)).toBe(0);
    expect(mach.tlbGenBehind(s, 1)).toBe(true);
    expect(mach.tlbHas(s, 1, 0)).toBe(true);
    expect(mach.usable(s, 1)).toBe(false);
    s = take(m, s, 'cpu1 switches back to the thread of the mm (from lazy)');
    expect(mach.cpuCtx(s, 1)).toBe(CTX_USER);
    expect(mach.tlbHas(s, 1, 0)).toBe(false);
    expect(mach.tlbGenBehind(s, 1)).toBe(false);
  });

  it('a freed-tables flush reaches the lazy CPU, which leaves the mm for init_mm; a later IPI clears its mm_cpumask bit', () => {
    const m = tlb({ ...lazy, run: 'cpu0=munmap' });
    const mach = m.machine;
    let s = m.initialStates()[0]!;
    s = take(m, s, 'cpu1 switches to a kernel thread (enter_lazy_tlb: lazy, CR3 kept)');
    // Up to the flush that carries freed_tables (the second one: after pmd_clear).
    s = unmapUntil(m, s, 'rcu');
    expect((mach.inbox(s, 1) & 1) !== 0).toBe(true);
    s = take(m, s, 'cpu1 handles the flush IPI of cpu0 munmap');
    expect(mach.cpuCtx(s, 1)).toBe(CTX_OTHER);
    expect(mach.tlbGenBehind(s, 1)).toBe(true);
    expect(mach.inCpumask(s, 1)).toBe(true);
    expect(get(s, mach.cpumaskF[1]!)).toBe(1);
  });

  it('with contexts, invariants 1 and 3 give way to their usable-context forms (10, 11)', () => {
    const ids = tlb({ ...lazy, run: 'cpu0=munmap' }).invariants.map((i) => i.id);
    expect(ids).toContain('no-usable-stale-tlb-at-free');
    expect(ids).not.toContain('no-stale-tlb-at-free');
    const plain = tlb({ ...lazy, switch: 0, run: 'cpu0=munmap' }).invariants.map((i) => i.id);
    expect(plain).toContain('no-stale-tlb-at-free');
    expect(plain).not.toContain('no-usable-stale-tlb-at-free');
  });

  it('without the tlb_gen catch-up, the stale entry is used after the switch back (found, and only then)', () => {
    const params = { ...Object.fromEntries(TLB_PARAMS.map((p) => [p.name, p.default])), ...lazy, run: 'cpu0=madvise_dontneed' };
    expect(check(tlbFactory.create(params), { all: true }).verdict).toBe('holds');
    const r = check(tlbFactory.create({ ...params, without: 'tlb_gen-catch-up' }), { all: true });
    expect(r.verdict).toBe('violated');
    expect(r.violations.map((v) => v.property)).toContain('no-access-after-free');
  });
});

describe('khugepaged', () => {
  const k = { cpus: 2, pages: 2, vmas: 1, accessors: 0, walker: 'off', allocator: false, gup: 1 };

  it('collapse_huge_page: pmd cleared and flushed, sync_one, isolate under the PTL of the detached table, copy and free, huge pmd', () => {
    expect(soloRun(tlb({ ...k, gup: 0, backend: 'x86-6.18', run: 'cpu0=collapse_huge_page' }))).toEqual([
      'mmap_write_lock',
      'vma_start_write',
      'lock the pmd lock',
      'pmd_clear table 0',
      'tlbi pages=11 regions=1 reach=mm ipi leaf=0 all=0 full=1',
      'unlock the pmd lock',
      'tlb_remove_table_sync_one pages=0 regions=0',
      'lock PTL t0 (detached; through the copy of the pmd)',
      'isolate folios',
      'unlock PTL t0',
      'copy p0, clear PTE',
      'free frame 0',
      'copy p1, clear PTE',
      'free frame 1',
      'lock the pmd lock',
      'huge pmd 0',
      'unlock the pmd lock',
      'return',
    ]);
  });

  it('isolate gives up on a page gup_fast holds, and puts the table back', () => {
    const m = tlb({ ...k, backend: 'arm64-6.18', run: 'cpu0=collapse_huge_page' });
    const mach = m.machine;
    let s = m.initialStates()[0]!;
    for (const a of ['cpu1 gup_fast(page 0)', 'cpu1 gup_fast step', 'cpu1 gup_fast step', 'cpu1 gup_fast step', 'cpu1 gup_fast step', 'cpu1 gup_fast step']) s = take(m, s, a);
    expect(mach.gupStage(s, 1)).toBe(6); // holding the page, interrupts on
    for (let i = 0; i < 40 && !mach.kagents[0]!.done(s); i++) {
      s = mach.waitingForAcks(s, 0) ? take(m, s, 'cpu1 handles the flush IPI of cpu0 collapse_huge_page') : take(m, s, kstep(m));
    }
    expect(mach.pmdTable(s, 0)).toBe(true);
    expect(mach.pmdHuge(s, 0)).toBe(false);
    expect(mach.ptePresent(s, 0)).toBe(true);
  });

  it('khugepaged runs as the only kernel agent', () => {
    const d = Object.fromEntries(TLB_PARAMS.map((p) => [p.name, p.default]));
    expect(() => resolveConfig({ ...d, backend: 'x86-6.18', run: 'cpu0=collapse_huge_page,cpu1=munmap', cpus: 3 })).toThrow(/only kernel agent/);
  });
});
