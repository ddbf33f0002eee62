/**
 * What "a smaller configuration" means for the TLB model: one CPU, page,
 * VMA, table, accessor, gup_fast CPU or kernel agent fewer, speculative
 * walkers restricted, the allocator or the flusher switched off. Hardware
 * traits and Kconfig are never changed: the minimized configuration stays
 * on the same machine. Nor is any value that decides a kernel branch
 * (KernelBuilder.branch: mm_users, CPUs online for the 2011 fast mode,
 * madvise's lock mode, mremap's table move): mm_users is pinned, and a
 * candidate that would still change one is offered with the change named,
 * so minimize() can refuse it and say why.
 */
import type { ParamValues, ShrinkCandidate } from '../../src/engine/model.ts';
import { MAX_PAGES, resolveConfig } from './config.ts';
import { TlbMachine } from './machine.ts';
import { formatRun, parseRun } from './run-spec.ts';

export function shrinkTlb(p: ParamValues): ShrinkCandidate[] {
  const c = resolveConfig(p);
  const branchesOf = (cfg: ReturnType<typeof resolveConfig>): Record<string, string> => new TlbMachine(cfg).branchesUsed;
  const branches = branchesOf(c);
  // Make the derived sizes explicit so every dimension shrinks on its own, and pin mm_users where a branch reads it.
  const base: Record<string, number | boolean | string> = { ...p, accessors: c.accessors, ...('mm_users' in branches ? { 'mm-users': c.mmUsers } : {}) };
  const out: ShrinkCandidate[] = [];
  const add = (change: string, over: Record<string, number | boolean | string>): void => {
    const next = { ...base, ...over };
    const cpus = next['cpus'] as number;
    const pages = next['pages'] as number;
    // Agents on CPUs or pages that no longer exist are dropped or clipped.
    if (String(next['run'] ?? '') !== '') {
      const agents = parseRun(String(next['run']), MAX_PAGES)
        .filter((a) => a.cpu < cpus && a.lo < pages)
        .map((a) => ({ ...a, hi: Math.min(a.hi, pages - 1) }));
      if (agents.length === 0) return;
      next['run'] = formatRun(agents);
    }
    const kcpus = String(next['run'] ?? '') !== '' ? String(next['run']).split(',').length : 1;
    const u = Math.max(0, cpus - kcpus - (next['flusher'] ? 1 : 0));
    next['accessors'] = Math.min(next['accessors'] as number, u);
    next['gup'] = Math.min(next['gup'] as number, u);
    next['vmas'] = Math.min(next['vmas'] as number, pages);
    next['tables'] = Math.min(next['tables'] as number, pages);
    next['exec-mask'] = (next['exec-mask'] as number) & (2 ** (next['vmas'] as number) - 1);
    let refused: string | undefined;
    try {
      const m = new TlbMachine(resolveConfig(next));
      // A mechanism switched off that the smaller configuration no longer consults leaves --without: it changes
      // nothing there, and the reproduce command would name it in vain (check refuses that, validateRequest).
      const off = String(next['without'] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
      if (off.length > 0) next['without'] = off.filter((id) => m.mechanismsUsed.has(id)).join(',');
      const b = m.branchesUsed;
      // Values of agents that are gone are not branches taken differently.
      const changed = Object.keys(branches).filter((k) => k in b && branches[k] !== b[k]);
      if (changed.length > 0) refused = `it changes a kernel branch (${changed.map((k) => `${k} ${branches[k] ?? '-'} -> ${b[k] ?? '-'}`).join(', ')})`;
    } catch {
      // An impossible configuration: validate() says so.
    }
    out.push({ params: next, change, ...(refused ? { refused } : {}) });
  };
  if (c.cpus > 1) add(`cpus ${c.cpus} -> ${c.cpus - 1}`, { cpus: c.cpus - 1 });
  if (c.pages > 1) add(`pages ${c.pages} -> ${c.pages - 1}`, { pages: c.pages - 1 });
  if (c.vmas > 1) add(`vmas ${c.vmas} -> ${c.vmas - 1}`, { vmas: c.vmas - 1 });
  if (c.tables > 1) add(`tables ${c.tables} -> ${c.tables - 1}`, { tables: c.tables - 1 });
  if (c.accessors > 0) add(`accessors ${c.accessors} -> ${c.accessors - 1}`, { accessors: c.accessors - 1 });
  if (c.gup > 0) add(`gup ${c.gup} -> ${c.gup - 1}`, { gup: c.gup - 1 });
  if (String(p['run'] ?? '') !== '' && c.agents.length > 1) {
    for (let i = 0; i < c.agents.length; i++) {
      const rest = c.agents.filter((_, j) => j !== i);
      add(`without agent cpu${c.agents[i]!.cpu} ${c.agents[i]!.path}`, { run: formatRun(rest) });
    }
  }
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
