/**
 * Each backend's hooks, compiled against a path, against op sequences worked
 * out by hand from the kernel code the backend names.
 */
import { describe, expect, it } from 'vitest';
import { soloRun, tlb } from './tlb-helpers.ts';

const ops = (p: Record<string, string | number | boolean>): string[] => soloRun(tlb(p));

describe('compiled mmu_gather hooks', () => {
  it('arm-2.6.37 unmap_region: pages freed at once, before the tlb_end_vma range flush; table freed at once; no flush at finish', () => {
    expect(ops({ backend: 'arm-2.6.37', path: 'unmap_region', pages: 2 })).toEqual([
      'clear 0',
      'free page 0',
      'clear 1',
      'free page 1',
      'flush_tlb_range pages=11 regions=1',
      'pmd_clear 0',
      'free table 0',
      'return',
    ]);
  });

  it('arm-2.6.37 exit_mmap: fullmm skips the tlb_end_vma flush; flush_tlb_mm only at finish, after every free', () => {
    expect(ops({ backend: 'arm-2.6.37', path: 'exit_mmap', pages: 1 })).toEqual([
      'clear 0',
      'free page 0',
      'pmd_clear 0',
      'free table 0',
      'flush_tlb_mm pages=1 regions=1',
      'return',
    ]);
  });

  it('arm-06824ba8 unmap_region over two VMAs: a range flush per VMA, then the table address (one page) on the last VMA, then the batch', () => {
    const m = tlb({ backend: 'arm-06824ba8', path: 'unmap_region', pages: 2, vmas: 2 });
    expect(soloRun(m)).toEqual([
      'clear 0',
      'flush_tlb_range pages=1 regions=1',
      'clear 1',
      'flush_tlb_range pages=10 regions=1',
      'pmd_clear 0',
      'flush_tlb_range pages=1 regions=1',
      'free page 0',
      'free page 1',
      'free table 0',
      'return',
    ]);
    const last = m.machine.kagents[0]!.prog.filter((i) => i.kind === 'flush').at(-1)!;
    expect(last.stack).toEqual(['unmap_region', 'tlb_finish_mmu', 'tlb_flush_mmu', 'tlb_flush', 'flush_tlb_range']);
  });

  it('arm-06824ba8 shift_arg_pages: no VMA was seen, so tlb_flush punts to flush_tlb_mm before freeing the table', () => {
    expect(ops({ backend: 'arm-06824ba8', path: 'shift_arg_pages', pages: 2 })).toEqual([
      'pmd_clear 0',
      'flush_tlb_mm pages=11 regions=1',
      'free table 0',
      'return',
    ]);
  });

  it('generic unmap_region: everything batched behind one flush_tlb_mm', () => {
    expect(ops({ backend: 'generic', path: 'unmap_region', pages: 2, vmas: 2 })).toEqual([
      'clear 0',
      'clear 1',
      'pmd_clear 0',
      'flush_tlb_mm pages=11 regions=1',
      'free page 0',
      'free page 1',
      'free table 0',
      'return',
    ]);
  });

  it('generic-range: one flush_tlb_range over the pages and the freed tables\' whole span', () => {
    expect(ops({ backend: 'generic-range', path: 'unmap_region', pages: 3, vmas: 2, tables: 2 })).toEqual([
      'clear 0',
      'clear 1',
      'clear 2',
      'pmd_clear 0',
      'pmd_clear 1',
      'flush_tlb_range pages=111 regions=11',
      'free page 0',
      'free page 1',
      'free page 2',
      'free table 0',
      'free table 1',
      'return',
    ]);
  });

  it('generic-rcu-table-free: tables go to call_rcu after the flush, before the pages are freed, when the mm has other users; at once when it has none', () => {
    expect(ops({ backend: 'generic-rcu-table-free', path: 'unmap_region', gup: 1 })).toEqual([
      'clear 0',
      'pmd_clear 0',
      'flush_tlb_mm pages=1 regions=1',
      'call_rcu tables=1',
      'free page 0',
      'return',
    ]);
    expect(ops({ backend: 'generic-rcu-table-free', path: 'exit_mmap' })).toEqual([
      'clear 0',
      'pmd_clear 0',
      'free table 0',
      'flush_tlb_mm pages=1 regions=1',
      'free page 0',
      'return',
    ]);
  });

  it('s390-fullmm: the only flush is at tlb_gather_mmu', () => {
    expect(ops({ backend: 's390-fullmm', path: 'exit_mmap', pages: 2 })).toEqual([
      'flush_tlb_mm pages=11 regions=1',
      'clear 0',
      'clear 1',
      'pmd_clear 0',
      'free page 0',
      'free page 1',
      'free table 0',
      'return',
    ]);
  });

  it('tile-2.6.38 flushes with the last VMA\'s flags (no VM_EXEC: no i-cache eviction); tile-fixed always evicts', () => {
    const p = { path: 'unmap_region', pages: 2, vmas: 2, 'exec-mask': 1 };
    expect(ops({ ...p, backend: 'tile-2.6.38' })).toContain('flush_tlb_range pages=11 regions=1');
    expect(ops({ ...p, backend: 'tile-fixed' })).toContain('flush_tlb_range pages=11 regions=1 icache');
    // With VM_EXEC on the last VMA, 2.6.38 evicts too.
    expect(ops({ ...p, backend: 'tile-2.6.38', 'exec-mask': 2 })).toContain('flush_tlb_range pages=11 regions=1 icache');
  });

  it('x86-2.6.38: flush_tlb_range is a full flush of the mm', () => {
    expect(ops({ backend: 'x86-2.6.38', path: 'unmap_region', pages: 2 })).toContain('flush_tlb_mm pages=11 regions=1');
    expect(ops({ backend: 'x86-2.6.38', path: 'zap_page_range', pages: 2, vmas: 2 })).not.toContain('flush_tlb_range pages=1 regions=1');
  });

  it('end-vma-flush: pages freed right after the tlb_end_vma flush, the table with no flush after it', () => {
    expect(ops({ backend: 'end-vma-flush', path: 'unmap_region', pages: 1 })).toEqual([
      'clear 0',
      'flush_tlb_range pages=1 regions=1',
      'free page 0',
      'pmd_clear 0',
      'free table 0',
      'return',
    ]);
  });
});
