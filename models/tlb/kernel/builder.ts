/**
 * The builder a kernel path and its backend's hooks are written against:
 * the generic program builder plus the primitives that touch shared state
 * (each one atomic step, with the granularity DOMAIN §2 asks for: clear one
 * PTE, clear one pmd, issue one flush, free one frame, hand tables to RCU,
 * return). Arguments that the kernel computes at run time (a page from the
 * loop variable, a range from the gather) are functions of the step's Exec.
 */
import type { Backend } from '../backend.ts';
import type { Geometry } from '../geometry.ts';
import type { TlbMachine } from '../machine.ts';
import type { Kconfig, Vma } from '../types.ts';
import type { MmuGatherOps } from '../mm/mmu_gather.ts';
import { genericPgtable, type PgtableOps } from '../asm-generic/pgtable.ts';
import type { TlbFlushOps } from '../asm-generic/tlbflush.ts';
import type { Invalidation } from '../hw/tlb.ts';
import { FREE, MMAP_WRITE } from '../state.ts';
import type { KernelAgent } from './agent.ts';
import type { Exec } from './exec.ts';
import { ProgramBuilder, type Touches } from './program.ts';
import type { Slot } from './slot.ts';

export type At = (x: Exec) => number;
export type Cond = (x: Exec) => boolean;

export const FLUSH_MM = 0;
export const FLUSH_RANGE = 1;
export const FLUSH_PAGE = 2;
/** A range invalidation of the leaf entries only (arm64 TLBI VALE1IS): walk caches stay. */
export const FLUSH_LEAF = 3;
/** tlb_remove_table_sync_one: an IPI that invalidates nothing and waits for every CPU with interrupts off. */
export const FLUSH_SYNC = 4;
export const FLUSH_PRIMITIVES = ['flush_tlb_mm', 'flush_tlb_range', 'flush_tlb_page', 'flush_tlb_range (leaf only)', 'tlb_remove_table_sync_one', 'arch invalidation'] as const;

export class KernelBuilder extends ProgramBuilder {
  readonly g: Geometry;
  readonly backend: Backend;

  constructor(
    readonly m: TlbMachine,
    readonly agent: KernelAgent,
  ) {
    super();
    this.g = m.g;
    this.backend = m.config.backend;
  }

  /** The backend's Kconfig (v6 backends; the 2011 ones have none). */
  kconfig(): Kconfig {
    if (this.backend.kernel !== 'v6') throw new Error(`${this.backend.id} has no Kconfig (a 2011 backend)`);
    return this.backend.kconfig;
  }

  /** The v6 hook table. */
  hooks(): MmuGatherOps {
    if (this.backend.kernel !== 'v6') throw new Error(`${this.backend.id} is a 2011 backend`);
    return this.backend.hooks;
  }

  /** The arch's asm/tlbflush.h, if it has its own (else the plain primitives). */
  tlbflush(): TlbFlushOps | undefined {
    return this.backend.kernel === 'v6' ? this.backend.tlbflush : undefined;
  }

  /** The arch's asm/pgtable.h side effects of PTE changes. */
  pgtable(): PgtableOps {
    return (this.backend.kernel === 'v6' ? this.backend.pgtable : undefined) ?? genericPgtable;
  }

  /** Runs the arch's side of a PTE change inside the step that changes it (s390 IPTE); nothing elsewhere. */
  ptepXchg(x: Exec, page: number, full: boolean, direct = false): void {
    const pg = this.pgtable();
    if (pg.ptep_xchg) pg.ptep_xchg(x, page, full, direct);
  }

  /** Whether mechanism `id` is on (not switched off with --without); records that this program consults it. */
  mech(id: string): boolean {
    this.m.mechanismsUsed.add(id);
    return !this.m.config.without.has(id);
  }

  /**
   * A value outside the code that decides a kernel branch (mm->mm_users, the
   * CPUs online, madvise's lock mode): recorded, so a trace header names it
   * and shrinking keeps it, then returned.
   */
  branch<T extends string | number | boolean>(name: string, value: T, shown: string = String(value)): T {
    this.m.branchesUsed[name] = shown;
    return value;
  }

  /** What a flush touches: every CPU's TLB and walk cache, this agent's IPIs to them, the cost counters. */
  flushTouches(): Touches {
    const c = this.m.comp;
    return { reads: [], writes: [...c.cpus(), ...c.inboxesOf(this.agent.index), c.cost] };
  }

  /** What freeing data frames `fs` touches: their references and states, and every TLB (invariant 1 reads them). */
  freeTouches(fs: readonly number[]): Touches {
    const c = this.m.comp;
    const reads: number[] = [];
    const writes: number[] = [];
    for (const f of fs) {
      const r = c.release(f);
      reads.push(...r.reads);
      writes.push(...r.writes, c.ref(f));
    }
    return { reads, writes };
  }

  /** A field of the shared mm (an arch's mm->context word, e.g. s390 flush_mm), declared on first use. */
  mmField(name: string, bits: number): Slot {
    return this.m.mmRec.find(name) ?? this.m.mmRec.add(name, bits);
  }

  /** A register of this agent (a kernel local variable that lives across steps). */
  reg(name: string, max: number): Slot {
    return this.agent.rec.find(name) ?? this.agent.rec.upTo(name, max);
  }

  // ---------------------------------------------------------------- flushes

  /** flush_tlb_mm: the arch's (asm/tlbflush.h) or the plain one. */
  flush_tlb_mm(name = 'flush_tlb_mm'): void {
    const t = this.tlbflush();
    if (t) t.flush_tlb_mm(this, name);
    else this.plain_flush_tlb_mm(name);
  }

  /** flush_tlb_range: the arch's or the plain one. */
  flush_tlb_range(vma: At, start: At, end: At, leaf?: Cond): void {
    const t = this.tlbflush();
    if (t && !leaf) t.flush_tlb_range(this, vma, start, end);
    else this.plain_flush_tlb_range(vma, start, end, leaf);
  }

  /** flush_tlb_page (ptep_clear_flush's flush): the arch's, or a one-page range flush. */
  flush_tlb_page(page: At): void {
    const t = this.tlbflush();
    if (t) t.flush_tlb_page(this, page);
    else
      this.plain_flush_tlb_range(
        () => -1,
        page,
        (x) => page(x) + 1,
      );
  }

  /**
   * One arch invalidation (a v6 backend's tlbflush primitive), decided at
   * step time by `what`; `text` says what the instruction is (INVLPG p0-1,
   * TLBI VALE1IS, tlbie RIC=2...). The label adds who gets it and how.
   */
  invalidate(name: string, what: (x: Exec) => Invalidation, text: (x: Exec) => string, short: (x: Exec) => string = () => name): void {
    const m = this.m;
    this.step({
      kind: 'flush',
      name,
      label: (x) => `${text(x)}${m.reachNote(x, what(x))}`,
      short,
      touches: this.flushTouches(),
      run: (x) => m.sendInvalidate(x, what(x)),
    });
  }

  plain_flush_tlb_mm(name = 'flush_tlb_mm'): void {
    const m = this.m;
    const all = 2 ** this.g.vpages - 1;
    const regions = 2 ** this.g.regions - 1;
    const icache = this.backend.flush.mmICache;
    this.step({
      kind: 'flush',
      name,
      label: () => `whole mm${icache && m.feat.icache ? ', evicting i-caches' : ''}${m.deliveryNote()}`,
      short: () => 'flush_tlb_mm',
      touches: this.flushTouches(),
      run: (x) => m.sendFlush(x, FLUSH_MM, all, regions, icache, true, 0),
    });
  }

  /**
   * flush_tlb_range over pages [start, end), nothing when the range is
   * empty. `vma` is the index of the VMA passed in (its flags decide i-cache
   * eviction on Tile), or -1 for the mm-based variant Peter proposes.
   */
  plain_flush_tlb_range(vma: At, start: At, end: At, leaf?: Cond): void {
    const m = this.m;
    const fl = this.backend.flush;
    const g = this.g;
    const V = g.vpages;
    const icacheOf = (x: Exec): boolean => {
      switch (fl.rangeICache) {
        case 'never':
          return false;
        case 'always':
          return true;
        case 'vm-exec': {
          const v = vma(x);
          return v >= 0 && g.vmas[v]!.exec;
        }
        case 'pte-exec':
          return x.tlb.exec;
      }
    };
    const bounds = (x: Exec): [number, number] => [Math.max(0, start(x)), Math.min(V, end(x))];
    this.if(
      (x) => {
        const [s, e] = bounds(x);
        return e > s;
      },
      () =>
        this.step({
          kind: 'flush',
          name: 'flush_tlb_range',
          label: (x) => {
            const [s, e] = bounds(x);
            const v = vma(x);
            const lvl = leaf && leaf(x) ? ', leaf entries only' : '';
            const what =
              fl.range === 'full'
                ? `${pagesText(s, e)} (flushes the whole mm)`
                : `${pagesText(s, e)}${v >= 0 ? ` of vma${v}${g.vmas[v]!.exec ? ' (VM_EXEC)' : ''}` : ''}`;
            return `${what}${lvl}${icacheOf(x) && m.feat.icache ? ', evicting i-caches' : ''}${m.deliveryNote()}`;
          },
          short: (x) => {
            const [s, e] = bounds(x);
            return `flush_tlb_range ${s === e - 1 ? `p${s}` : `p${s}-${e - 1}`}`;
          },
          touches: this.flushTouches(),
          run: (x) => {
            const [s, e] = bounds(x);
            if (fl.range === 'full') return m.sendFlush(x, FLUSH_RANGE, 2 ** V - 1, 2 ** g.regions - 1, icacheOf(x), true, 0);
            let pages = 0;
            let regions = 0;
            for (let p = s; p < e; p++) {
              pages |= 1 << p;
              regions |= 1 << g.regionOf[p]!;
            }
            // A leaf-only invalidation (arm64 VALE1IS) leaves every walk-cache entry alone.
            if (leaf && leaf(x)) return m.sendFlush(x, FLUSH_LEAF, pages, 0, icacheOf(x), false, e - s);
            return m.sendFlush(x, FLUSH_RANGE, pages, regions, icacheOf(x), false, e - s);
          },
        }),
    );
  }

  /**
   * tlb_remove_table_sync_one: an IPI to every other CPU that waits for each
   * to have interrupts on (it excludes interrupts-off walkers such as
   * gup_fast; it is not an RCU grace period). Sent by IPI on any hardware.
   */
  tlb_remove_table_sync_one(name = 'tlb_remove_table_sync_one'): void {
    const m = this.m;
    const c = m.comp;
    this.step({
      kind: 'flush',
      name,
      label: () => 'smp_call_function(noop, wait): IPI every other CPU and wait for each to have interrupts on',
      short: () => 'sync_one IPI',
      touches: { reads: [], writes: [...c.inboxesOf(this.agent.index), c.cost] },
      run: (x) => m.sendFlush(x, FLUSH_SYNC, 0, 0, false, false, 0),
    });
  }

  // ---------------------------------------------------------------- page tables

  /** ptep_get_and_clear of page `page`'s PTE (the 2011 paths clear unconditionally). */
  clear_pte(page: At): void {
    const m = this.m;
    this.step({
      kind: 'pte',
      name: 'ptep_get_and_clear',
      label: (x) => `clear PTE of page ${page(x)}`,
      short: (x) => `clear PTE page ${page(x)}`,
      run: (x) => {
        const p = page(x);
        m.log?.push(`clear ${p}`);
        m.setPteBits(x.st, m.g.slotOf[p]!, 0);
        m.setMaskBit(x.st, x.agent.revoked, p, true);
      },
    });
  }

  /** pmd_clear of region `r` (free_pgd_range: no lock; the VMAs are gone). */
  pmd_clear(r: number): void {
    const m = this.m;
    this.step({
      kind: 'pmd',
      name: 'pmd_clear',
      label: () => `clear pmd of table ${r}`,
      short: () => `pmd_clear table ${r}`,
      touches: { reads: [m.comp.pmd], writes: [m.comp.pmd] },
      run: (x) => {
        m.log?.push(`pmd_clear ${r}`);
        m.setPmd(x.st, r, false);
      },
    });
  }

  // ---------------------------------------------------------------- freeing

  /** Drops the reference the mm's mapping held on data frame `f` (freed if it was the last). */
  free_page(f: At, leaf = 'free_page_and_swap_cache'): void {
    const m = this.m;
    this.step({
      kind: 'free',
      name: leaf,
      label: (x) => `free ${m.frameName(f(x))}`,
      short: (x) => `free frame ${f(x)}`,
      touches: this.freeTouches(Array.from({ length: this.g.pages }, (_, i) => i)),
      run: (x) => {
        m.log?.push(`free page ${f(x)}`);
        m.releaseFrame(x.st, f(x));
      },
    });
  }

  /** Frees page-table frame `t` at once (pte_free). */
  free_table(t: At, leaf = 'pte_free'): void {
    const m = this.m;
    this.step({
      kind: 'free',
      name: leaf,
      label: (x) => `free ${m.frameName(m.tableFrame(t(x)))}`,
      short: (x) => `free table frame ${m.tableFrame(t(x))}`,
      touches: { reads: m.comp.cpus(), writes: m.comp.freeing(Array.from({ length: m.TF }, (_, t) => m.K + t)) },
      run: (x) => {
        m.log?.push(`free table ${t(x)}`);
        m.setFrameState(x.st, m.tableFrame(t(x)), FREE);
      },
    });
  }

  /**
   * Frees every frame in the gather's page batch, lowest first (data frames,
   * then table frames: the order they were queued), one per step.
   */
  free_batch(leaf = 'put_page'): void {
    const m = this.m;
    const K = this.g.pages;
    const lowest = (x: Exec): number => {
      const b = x.tlb.batch;
      return 31 - Math.clz32(b & -b);
    };
    this.if(
      (x) => x.tlb.batch !== 0,
      () => {
        const self = this.code.length;
        this.step({
          kind: 'free',
          name: leaf,
          label: (x) => `free ${m.frameName(lowest(x))}`,
          short: (x) => {
            const f = lowest(x);
            return f < K ? `free frame ${f}` : `free table frame ${f}`;
          },
          targets: ['self'],
          touches: (() => {
            const t = this.freeTouches(Array.from({ length: K }, (_, f) => f));
            return t === 'all' ? t : { reads: t.reads, writes: [...t.writes, ...m.comp.freeing(Array.from({ length: m.TF }, (_, i) => K + i))] };
          })(),
          run: (x) => {
            const f = lowest(x);
            x.tlb.batch = x.tlb.batch & ~(1 << f);
            m.log?.push(f < K ? `free page ${f}` : `free table ${f - K}`);
            if (f < K) m.releaseFrame(x.st, f);
            else m.setFrameState(x.st, f, FREE);
            return x.tlb.batch !== 0 ? self : undefined;
          },
        });
      },
    );
  }

  /** Frees every table in the table batch at once (MMU_GATHER_TABLE_FREE without RCU), one per step. */
  free_tables_batch(leaf: string): void {
    const m = this.m;
    const lowest = (x: Exec): number => {
      const b = x.tlb.table_batch;
      return 31 - Math.clz32(b & -b);
    };
    this.if(
      (x) => x.tlb.table_batch !== 0,
      () => {
        const self = this.code.length;
        this.step({
          kind: 'free',
          name: leaf,
          label: (x) => `free ${m.frameName(m.tableFrame(lowest(x)))}`,
          short: (x) => `free table frame ${m.tableFrame(lowest(x))}`,
          targets: ['self'],
          touches: { reads: m.comp.cpus(), writes: m.comp.freeing(Array.from({ length: m.TF }, (_, t) => m.K + t)) },
          run: (x) => {
            const t = lowest(x);
            x.tlb.table_batch = x.tlb.table_batch & ~(1 << t);
            m.log?.push(`free table ${t}`);
            m.setFrameState(x.st, m.tableFrame(t), FREE);
            return x.tlb.table_batch !== 0 ? self : undefined;
          },
        });
      },
    );
  }

  /** Hands the table batch to RCU (call_rcu / call_rcu_sched), if it holds any table. */
  call_rcu(leaf = 'call_rcu_sched'): void {
    const m = this.m;
    this.if(
      (x) => x.tlb.table_batch !== 0,
      () =>
        this.step({
          kind: 'rcu',
          name: leaf,
          label: (x) => {
            const b = x.tlb.table_batch;
            return `defer freeing table${b & (b - 1) ? 's' : ''} ${maskList(b)} past a grace period`;
          },
          short: (x) => `call_rcu table ${maskList(x.tlb.table_batch)}`,
          run: (x) => {
            m.log?.push(`call_rcu tables=${x.tlb.table_batch.toString(2)}`);
            m.callRcu(x.st, x.tlb.table_batch);
            x.tlb.table_batch = 0;
          },
        }),
    );
  }

  /** Hands one table to RCU on its own rcu_head (tlb_remove_table_one under PT_RECLAIM, pte_free_defer). */
  call_rcu_one(table: number, leaf = 'call_rcu'): void {
    const m = this.m;
    this.step({
      kind: 'rcu',
      name: leaf,
      label: () => `defer freeing table ${table} past a grace period (its own rcu_head)`,
      short: () => `call_rcu table ${table}`,
      run: (x) => {
        m.log?.push(`call_rcu tables=${(1 << table).toString(2)}`);
        m.callRcu(x.st, 1 << table);
      },
    });
  }

  /**
   * The path returns to user space (or the kernel thread finishes its work).
   * `mmap`: the syscall's mmap_lock (and per-VMA lock) is dropped in the same
   * step. That is exact: between the unlock and the return the kernel
   * touches nothing another agent reads, and an agent waiting for the lock
   * can do nothing before the unlock either way.
   */
  ret(opts: { readonly mmap?: boolean } = {}): void {
    const m = this.m;
    const a = this.agent;
    this.step({
      kind: 'return',
      name: '',
      label: () => (opts.mmap ? 'drop mmap_lock; return' : 'return'),
      short: () => 'return',
      // Invariant 6 reads every TLB, the PTEs and the pages revoked.
      touches: {
        reads: [...m.comp.cpus(), ...m.comp.range('pte', m.S), m.comp.rev(a.index), m.comp.irq(a.index)],
        writes: [m.comp.mmap, ...m.comp.vmas(), m.comp.cpu(a.cpu), m.comp.irq(a.index)],
      },
      run: (x) => {
        if (opts.mmap) {
          // mmap_write_unlock ends the VMA write locks (vma_end_write_all).
          if (a.mmap && x.get(a.mmap) === MMAP_WRITE) for (const v of m.g.vmas) m.setVmaWriteLocked(x.st, v.index, false);
          if (a.mmap) x.set(a.mmap, 0);
          if (a.vmaRead) x.set(a.vmaRead, 0);
        }
        if (x.flag(a.irqoff)) {
          x.set(a.irqoff, 0);
          m.leaveIrqOff(x.st, x.cpu);
        }
      },
    });
  }

  /** The VMAs of the original range that meet pages [lo, hi]. */
  vmasIn(lo: number, hi: number): Vma[] {
    return this.g.vmas.filter((v) => v.copyOf < 0 && v.start <= hi && v.end > lo);
  }
}

export function maskList(m: number): string {
  const out: number[] = [];
  for (let i = 0; m >>> i; i++) if ((m >>> i) & 1) out.push(i);
  return out.join(', ');
}

export function pagesText(s: number, e: number): string {
  return `${e - s === 1 ? 'page' : 'pages'} ${e - s === 1 ? `${s}` : `${s}-${e - 1}`}`;
}
