/**
 * What "a smaller configuration" means for the TLB model: one CPU, page, VMA,
 * table, accessor or gup_fast CPU fewer, speculative walkers restricted, the
 * allocator or the flusher switched off. Hardware traits are never changed:
 * the minimized configuration stays on the same machine.
 */
import type { ParamValues, ShrinkCandidate } from '../../src/engine/model.ts';
import { resolveConfig } from './config.ts';

export function shrinkTlb(p: ParamValues): ShrinkCandidate[] {
  {
    const c = resolveConfig(p);
    // Make the derived sizes explicit so every dimension shrinks on its own.
    const base: Record<string, number | boolean | string> = { ...p, accessors: c.accessors };
    const out: ShrinkCandidate[] = [];
    const users = (cpus: number, flusher: boolean): number => Math.max(0, cpus - 1 - (flusher ? 1 : 0));
    const add = (change: string, over: Record<string, number | boolean | string>): void => {
      const next = { ...base, ...over };
      const u = users(next['cpus'] as number, next['flusher'] as boolean);
      next['accessors'] = Math.min(next['accessors'] as number, u);
      next['gup'] = Math.min(next['gup'] as number, u);
      const pages = next['pages'] as number;
      next['vmas'] = Math.min(next['vmas'] as number, pages);
      next['tables'] = Math.min(next['tables'] as number, pages);
      next['exec-mask'] = (next['exec-mask'] as number) & (2 ** (next['vmas'] as number) - 1);
      out.push({ params: next, change });
    };
    if (c.cpus > 1) add(`cpus ${c.cpus} -> ${c.cpus - 1}`, { cpus: c.cpus - 1 });
    if (c.pages > 1) add(`pages ${c.pages} -> ${c.pages - 1}`, { pages: c.pages - 1 });
    if (c.vmas > 1) add(`vmas ${c.vmas} -> ${c.vmas - 1}`, { vmas: c.vmas - 1 });
    if (c.tables > 1) add(`tables ${c.tables} -> ${c.tables - 1}`, { tables: c.tables - 1 });
    if (c.accessors > 0) add(`accessors ${c.accessors} -> ${c.accessors - 1}`, { accessors: c.accessors - 1 });
    if (c.gup > 0) add(`gup ${c.gup} -> ${c.gup - 1}`, { gup: c.gup - 1 });
    if (c.walker === 'all') {
      add('walker all -> unmapper', { walker: 'unmapper' });
      add('walker all -> others', { walker: 'others' });
    }
    if (c.walker === 'unmapper' || c.walker === 'others') add(`walker ${c.walker} -> off`, { walker: 'off' });
    if (c.allocator) add('allocator off', { allocator: false });
    if (c.flusher) add('flusher off', { flusher: false, 'flusher-irqs-off': false });
    if (c.execMask !== 0) add(`exec-mask ${c.execMask} -> 0`, { 'exec-mask': 0 });
    return out;
  }
}
