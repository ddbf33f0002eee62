/** The TLB model from the command line: the default matrix, configuration errors, list. */
import { describe, expect, it } from 'vitest';
import { isOneLineError, tlbcheck } from './cli-helpers.ts';

describe('tlbcheck (default matrix)', () => {
  it('with no arguments prints the matrix and exits 0', () => {
    const r = tlbcheck();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/BACKEND\s+PATH\s+HARDWARE\s+VERDICT/);
    expect(r.stdout).toMatch(/\d+ rows, \d+ as expected, 0 mismatched/);
  });

  it('--json: one object per row with the engine fields, backend, path, hardware, expected and cost', () => {
    // Two slices of the matrix (the whole of it runs in the test above and in tlb-verdicts).
    const docs = [tlbcheck('matrix', '--only', '2.6.3', '--json'), tlbcheck('matrix', '--only', 'arm-06824ba8', '--json')].map((r) => {
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout);
    });
    const doc = { ...docs[0], rows: docs.flatMap((d) => d.rows), summary: { mismatched: docs[0].summary.mismatched + docs[1].summary.mismatched } };
    expect(doc.version).toBe(1);
    const row = (id: string) => doc.rows.find((x: { id: string }) => x.id === id);
    expect(row('arm-2.6.37/unmap_region')).toMatchObject({ backend: 'arm-2.6.37', path: 'unmap_region', verdict: 'violated', firstViolation: 'no-stale-tlb-at-free' });
    expect(row('tile-2.6.38/unmap_region')).toMatchObject({ verdict: 'violated', violated: ['no-stale-icache'] });
    // Violating rows are minimized: the smallest configuration that still violates, and how to get it.
    expect(row('arm-2.6.37/unmap_region').minimized).toMatchObject({ property: 'no-stale-tlb-at-free', length: 4 });
    expect(row('arm-2.6.37/unmap_region').minimized.command).toContain('--cpus 1');
    expect(row('arm-06824ba8/unmap_region').minimized).toBeNull();
    for (const p of ['unmap_region', 'shift_arg_pages', 'exit_mmap']) {
      const x = row(`arm-06824ba8/${p}`);
      expect(x.verdict).toBe('holds');
      expect(x.cost).toEqual(expect.objectContaining({ ipis: expect.any(Number), fullFlushes: expect.any(Number), perPageInvalidates: expect.any(Number) }));
      expect(x.expected.verdict).toBe('holds');
      expect(typeof x.hardware).toBe('string');
      expect(x.states).toBeGreaterThan(0);
    }
    expect(doc.summary.mismatched).toBe(0);
  });

  it('--only filters rows; an empty filter is a usage error', () => {
    const r = tlbcheck('matrix', '--only', 'tile-fixed', '--json');
    expect(JSON.parse(r.stdout).rows.every((x: { id: string }) => x.id.startsWith('tile-fixed'))).toBe(true);
    const bad = tlbcheck('matrix', '--only', 'no-such-row');
    expect(bad.code).toBe(2);
    expect(isOneLineError(bad)).toBe(true);
  });
});

describe('tlbcheck check --row', () => {
  const matrix = JSON.parse(tlbcheck('matrix', '--only', 'shift_arg_pages', '--json').stdout);
  const row = (id: string) => matrix.rows.find((x: { id: string }) => x.id === id);

  it.each(['arm-2.6.37/shift_arg_pages', 'sh-2.6.37/shift_arg_pages[walker=all]', 'generic/shift_arg_pages'])('%s: exactly the row\'s configuration, verdict and state count', (id) => {
    const r = tlbcheck('check', '--row', id, '--json');
    const doc = JSON.parse(r.stdout);
    const m = row(id);
    expect(doc.row).toBe(id);
    expect(doc.verdict).toBe(m.verdict);
    expect(doc.stats.states).toBe(m.states);
    expect(doc.config).toMatchObject({ ...m.params, all: true });
    expect(r.code).toBe(m.verdict === 'holds' ? 0 : 1);
    expect(m.command).toBe(`tlbcheck check --row '${id}'`);
  });

  it('the model name may be given; model parameters may not; unknown rows are refused', () => {
    expect(tlbcheck('check', 'tlb', '--row', 'arm-2.6.37/shift_arg_pages').code).toBe(1);
    for (const [args, text] of [
      [['check', '--row', 'arm-2.6.37/shift_arg_pages', '--cpus', '2'], '--row fixes every model parameter: drop --cpus'],
      [['check', 'peterson', '--row', 'arm-2.6.37/shift_arg_pages'], 'is a tlb row'],
      [['check', '--row', 'arm-2.6.37'], 'rows containing it: arm-2.6.37/unmap_region'],
      [['check', '--row', 'no/such'], "no suite row 'no/such'"],
    ] as [string[], string][]) {
      const r = tlbcheck(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(isOneLineError(r)).toBe(true);
      expect(r.stderr).toContain(text);
    }
  });

  it('rows of the examples suite too', () => {
    const r = tlbcheck('check', '--row', 'broken-mutex', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).violations[0].length).toBe(4);
  });

  it('every printed reproduce command names the backend and the path, even at their defaults', () => {
    const doc = JSON.parse(tlbcheck('matrix', '--only', 'arm-06824ba8/unmap_region[walk-flush=address]', '--json').stdout);
    expect(doc.rows[0].minimized.command).toMatch(/^tlbcheck check tlb --backend arm-06824ba8 --path unmap_region /);
    const r = JSON.parse(tlbcheck('check', 'tlb', '--walk-flush', 'address', '--cpus', '3', '--pages', '2', '--vmas', '2', '--json', '--minimize').stdout);
    expect(r.minimized.command).toMatch(/^tlbcheck check tlb --backend arm-06824ba8 --path unmap_region /);
    const c = JSON.parse(tlbcheck('check', 'tlb', '--max-states', '10', '--json').stdout);
    expect(c.continue).toBe('tlbcheck check tlb --backend arm-06824ba8 --path unmap_region --json --max-states 40');
  });
});

describe('tlbcheck check tlb', () => {
  it('checks one configuration', () => {
    const r = tlbcheck('check', 'tlb', '--backend', 'arm-2.6.37', '--path', 'unmap_region', '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.violations[0].property).toBe('no-stale-tlb-at-free');
    expect(doc.violations[0].trace.at(-1).label).toContain('free frame 0');
  });

  it.each([
    [['--backend', 'nosuch'], 'nosuch'],
    [['--path', 'munmap'], 'munmap'],
    [['--cpus', '99'], 'at most'],
    [['--pages', '2', '--vmas', '3'], 'exceeds --pages'],
    [['--path', 'exit_mmap', '--accessors', '1'], 'no other user'],
    [['--cpus', '2', '--gup', '2'], 'needs 3 CPUs'],
    [['--flusher-irqs-off'], 'needs --flusher'],
    [['--tlb', 'smoke-signals'], 'one of'],
    [['--exec-mask', '4', '--vmas', '2', '--pages', '2'], 'beyond --vmas'],
  ])('impossible configuration %j exits 2 with one line', (args, text) => {
    const r = tlbcheck('check', 'tlb', ...(args as string[]));
    expect(r.code).toBe(2);
    expect(isOneLineError(r)).toBe(true);
    expect(r.stderr).toContain(text);
  });

  it('list shows backends, paths, invariants, mechanisms and switches', () => {
    const out = tlbcheck('list').stdout;
    for (const s of ['arm-06824ba8', 'unmap_region', 'no-walk-cache-after-table-free', '--walk-cache', '--gup-ref']) expect(out).toContain(s);
    for (const s of ['generic-6.18', 'munmap', 'madvise_dontneed', 'madvise_free', 'mprotect', 'mremap', 'reclaim']) expect(out).toContain(s);
    for (const s of ['tlb_flush_pending', 'nested-flush', 'flush_tlb_batched_pending', 'try_to_unmap_flush_dirty', 'vma-detach', 'MODERN §2.8']) expect(out).toContain(s);
    // Today's backends with their Kconfig as data.
    for (const s of ['x86-6.18', 'arm64-6.18', 'powerpc-radix-6.18', 'powerpc-hash-6.18', 'riscv-6.18', 's390-6.18', 'sparc64-6.18', 'collapse_huge_page', 'walk-cache-invalidate']) expect(out).toContain(s);
    const kc = (id: string) => out.split('\n').filter((l) => l.trimStart().startsWith(`${id} `) && l.includes('MMU_GATHER_RCU_TABLE_FREE='));
    expect(kc('sparc64-6.18')[0]).toContain('HAVE_GUP_FAST=n');
    expect(kc('s390-6.18')[0]).toContain('MMU_GATHER_NO_GATHER=y');
    expect(kc('arm64-6.18')[0]).toContain('MMU_GATHER_MERGE_VMAS=n');
    expect(kc('x86-6.18')[0]).toContain('MMU_GATHER_MERGE_VMAS=y');
  });

  it('a --run naming a path of the other kernel, a busy CPU or a page out of range exits 2 with one line', () => {
    for (const [args, text] of [
      [['--backend', 'generic-6.18', '--run', 'cpu0=unmap_region'], 'not a path of generic-6.18'],
      [['--backend', 'generic-6.18', '--run', 'cpu0=munmap,cpu0=madvise_dontneed'], 'runs two agents'],
      [['--backend', 'generic-6.18', '--pages', '2', '--run', 'cpu0=munmap:0-2'], 'names page 2'],
      [['--backend', 'generic-6.18', '--run', 'cpu0=munmap', '--without', 'no-such-mech'], 'unknown mechanism'],
      // Valid names the configuration never consults: a HOLDS would read as "not needed".
      [['--without', 'ptl,ipte'], '--without ptl,ipte: this configuration (arm-06824ba8) never consults them, so switching them off would change nothing (it consults: none)'],
      [['--backend', 'x86-6.18', '--without', 'ptl,lazy-mmu-flush'], '--without lazy-mmu-flush: this configuration (x86-6.18) never consults it'],
      [['--backend', 'arm-2.6.37', '--kconfig', 'MMU_GATHER_MERGE_VMAS=y'], '2011 backend'],
    ] as const) {
      const r = tlbcheck('check', 'tlb', ...args);
      expect(r.code).toBe(2);
      expect(isOneLineError(r)).toBe(true);
      expect(r.stderr).toContain(text);
    }
  });
});

describe('a minimized configuration keeps only the --without it still consults', () => {
  it('shrinking gup_fast away drops gup_fast-recheck from --without, and the reproduce command runs as printed', () => {
    const args = ['--backend', 'x86-6.18', '--run', 'cpu0=madvise_dontneed:0', '--cpus', '3', '--exec-mask', '0', '--accessors', '1', '--gup', '1', '--walker', 'off', '--no-allocator', '--without', 'tlb_gen-catch-up,gup_fast-recheck', '--switch', '1', '--skip', 'gup-fast-no-freed-ref'];
    const doc = JSON.parse(tlbcheck('check', 'tlb', ...args, '--minimize', '--json').stdout);
    const cmd: string = doc.minimized.command;
    expect(doc.minimized.minimization.tried.filter((t: { outcome: string }) => t.outcome === 'violates').map((t: { change: string }) => t.change)).toContain('gup 1 -> 0');
    expect(cmd).toContain('--without tlb_gen-catch-up --');
    expect(cmd).not.toContain('gup_fast-recheck');
    const again = tlbcheck(...cmd.split(' ').slice(1));
    expect(again.code, again.stderr).toBe(1);
  });
});

describe('tlbcheck why', () => {
  it('prints the ablation table of madvise ∥ madvise: the pending counter and the nested rule protect invariant 6, the PTL alone does not', () => {
    const args = ['why', 'tlb', '--backend', 'generic-6.18', '--cpus', '3', '--pages', '2', '--vmas', '1', '--run', 'cpu0=madvise_dontneed,cpu1=madvise_dontneed'];
    const j = tlbcheck(...args, '--json', '--no-minimize');
    expect(j.code).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc.baseline.verdict).toBe('holds');
    const rows = Object.fromEntries(doc.rows.map((r: { mechanism: string }) => [r.mechanism, r]));
    expect(Object.keys(rows)).toEqual(['tlb_flush_pending', 'nested-flush', 'ptl']);
    expect(rows['tlb_flush_pending']).toMatchObject({ verdict: 'violated', property: 'tlb-coherent-at-return', length: 13 });
    expect(rows['nested-flush']).toMatchObject({ verdict: 'violated', property: 'tlb-coherent-at-return', length: 15 });
    expect(rows['ptl']).toMatchObject({ verdict: 'holds', property: null });
    expect(doc.rows[1].trace).toContain('returns at step');
    const t = tlbcheck(...args, '--no-traces');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/WITHOUT\s+VERDICT\s+BREAKS\s+LEN\s+MIN/);
    expect(t.stdout).toMatch(/nested-flush\s+violated\s+tlb-coherent-at-return\s+15\s+14/);
  });
});
