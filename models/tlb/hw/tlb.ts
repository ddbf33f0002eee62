/**
 * The TLB and the walk cache of each CPU, and what a flush does to them
 * (DOMAIN §2): a flush reaching a CPU drops the TLB entries of the pages it
 * covers, the walk-cache entries of the regions it covers, the hardware
 * walk in flight per --walk-flush, and the i-cache if the flush evicts it.
 * Delivery is the hardware's: a broadcast takes effect on every CPU in the
 * issuing step; an IPI is handled by each target when its interrupts are on
 * (hw/ipi.ts), and the initiator waits for every acknowledgement.
 */
import { get, set } from '../../../src/engine/layout.ts';
import type { State } from '../../../src/engine/model.ts';
import { FLUSH_LEAF, FLUSH_PRIMITIVES, FLUSH_SYNC } from '../kernel/builder.ts';
import type { Exec } from '../kernel/exec.ts';
import type { TlbMachine } from '../machine.ts';
import { CTX_LAZY, CTX_OTHER, CTX_USER } from '../state.ts';

/** Applies a flush to CPU c. */
export function flushCpu(m: TlbMachine, out: State, c: number, pages: number, regions: number, icache: boolean): void {
  set(out, m.tlbF[c]!, get(out, m.tlbF[c]!) & ~pages);
  const d = m.tlbDF[c];
  if (d) set(out, d, get(out, d) & ~pages);
  const wc = m.wcF[c];
  if (wc) set(out, wc, get(out, wc) & ~regions);
  // A hardware walk that read the upper level holds that entry; which
  // flushes end it is a hardware question (--walk-flush): by default the
  // invalidate's barrier completes or abandons every walk in flight.
  const wp = get(out, m.walkF[c]!) - 1;
  // A software refill (hash_page, the TSB-miss handler) is code, not a hardware walk: no flush ends it.
  if (wp >= 0 && !m.config.hw.walkerIrqsOff) {
    const mode = m.config.walkFlush;
    const ends =
      mode === 'barrier' ||
      (mode === 'region' && ((regions >>> m.g.regionOf[wp]!) & 1) === 1) ||
      (mode === 'address' && ((pages >>> wp) & 1) === 1);
    if (ends) {
      set(out, m.walkF[c]!, 0);
      const ww = m.walkWF[c];
      if (ww) set(out, ww, 0);
    }
  }
  const ic = m.icF[c];
  if (ic && icache) set(out, ic, 0);
}

/** FLUSH_PRIMITIVES index of an arch invalidation waiting in an agent's record (v6 backends). */
export const FLUSH_ARCH = 5;

/**
 * One TLB invalidation as a v6 arch issues it (arch/<arch>/mm/tlb.c,
 * asm/tlbflush.h), decided at step time from the gather or the caller.
 */
export interface Invalidation {
  /** Leaf (TLB) entries dropped, as a mask of modelled pages. */
  readonly pages: number;
  /** Walk-cache (upper-level) entries dropped, as a mask of regions. */
  readonly regions: number;
  /**
   * Which CPUs: every CPU in mm_cpumask (`mm`), only those running the mm
   * (`active`: x86 should_flush_tlb skips lazy and switched-away CPUs when
   * no table was freed), or only this CPU (`local`).
   */
  readonly reach: 'mm' | 'active' | 'local';
  /**
   * By IPI (the targets run the flush when their interrupts are on, the
   * initiator waits), or in one go on every CPU (TLBI IS, tlbie, INVLPGB,
   * IPTE, SBI remote fences: nothing is held off by interrupts-off).
   */
  readonly delivery: 'ipi' | 'broadcast';
  /** Operations each CPU that runs it executes (IPI), or the issuing CPU executes once (broadcast). */
  readonly leaf: number;
  readonly all: number;
  readonly full: number;
}

/**
 * What a CPU that receives an x86 flush IPI does (flush_tlb_func): a CPU
 * that no longer runs the mm clears its mm_cpumask bit and stays behind; a
 * lazy one switches to init_mm (switch_mm_irqs_off) and stays behind; one
 * running the mm flushes and catches up. Other arches flush whatever the
 * CPU runs (their mm_cpumask is sticky).
 */
export function flushTlbFunc(m: TlbMachine, out: State, c: number, pages: number, regions: number): void {
  if (m.feat.ctx && m.lazyTlb === 'x86') {
    const ctx = m.cpuCtx(out, c);
    if (ctx === CTX_OTHER) {
      set(out, m.cpumaskF[c]!, 0);
      set(out, m.behindF[c]!, 1);
      return;
    }
    if (ctx === CTX_LAZY) {
      m.switchToInitMm(out, c);
      return;
    }
    set(out, m.behindF[c]!, 0);
  }
  flushCpu(m, out, c, pages, regions, false);
}

/**
 * Issues an arch invalidation from kernel agent x. Broadcast: every CPU at
 * once, paid once. IPI: this CPU flushes itself if it runs the mm, every
 * other CPU in reach gets the IPI, and on x86 the CPUs skipped fall behind
 * on tlb_gen (inc_mm_tlb_gen advanced the mm's generation past theirs).
 */
export function sendInvalidate(m: TlbMachine, x: Exec, inv: Invalidation): void {
  const out = x.st;
  const N = m.N;
  const a = x.agent;
  if (m.log) m.log.push(`tlbi pages=${inv.pages.toString(2)} regions=${inv.regions.toString(2)} reach=${inv.reach} ${inv.delivery} leaf=${inv.leaf} all=${inv.all} full=${inv.full}`);
  if (inv.delivery === 'broadcast') {
    if (a.countsCost) m.addCost(out, 0, inv.full, inv.all, inv.leaf);
    for (let c = 0; c < N; c++) {
      flushCpu(m, out, c, inv.pages, inv.regions, false);
      if (m.feat.ctx) set(out, m.behindF[c]!, 0);
    }
    return;
  }
  const from = x.cpu;
  let runs = 0;
  let ipis = 0;
  const x86 = m.feat.ctx && m.lazyTlb === 'x86';
  // The initiator runs the flush itself when it is in reach (flush_tlb_multi includes it; a lazy initiator
  // leaves the mm for init_mm like any lazy target); otherwise it falls behind too.
  if (m.inCpumask(out, from) && (inv.reach !== 'active' || m.cpuCtx(out, from) === CTX_USER)) {
    flushTlbFunc(m, out, from, inv.pages, inv.regions);
    runs++;
  } else if (x86) set(out, m.behindF[from]!, 1);
  if (inv.reach !== 'local' && N > 1) {
    const bit = 1 << a.index;
    for (let c = 0; c < N; c++) {
      if (c === from) continue;
      const target = m.inCpumask(out, c) && (inv.reach === 'mm' || m.cpuCtx(out, c) === CTX_USER);
      if (!target) {
        if (x86) set(out, m.behindF[c]!, 1);
        continue;
      }
      const f = m.inboxF[c]!;
      set(out, f, get(out, f) | bit);
      ipis++;
    }
    if (ipis > 0) {
      set(out, a.flPrim!, FLUSH_ARCH);
      set(out, a.flPages!, inv.pages);
      set(out, a.flRegions!, inv.regions);
      if (a.flIcache) set(out, a.flIcache, 0);
    }
  }
  runs += ipis;
  if (a.countsCost) m.addCost(out, ipis, inv.full * runs, inv.all * runs, inv.leaf * runs);
}

/**
 * Issues a flush from kernel agent x: cost, then the effect. With IPIs the
 * initiator flushes itself at once and marks every other CPU's inbox; the
 * flush waits in the agent's record until the last target acknowledged.
 */
export function sendFlush(m: TlbMachine, x: Exec, prim: number, pages: number, regions: number, icache: boolean, full: boolean, perPage: number): void {
  const out = x.st;
  const N = m.N;
  if (m.log) m.log.push(`${FLUSH_PRIMITIVES[prim]} pages=${pages.toString(2)} regions=${regions.toString(2)}${icache ? ' icache' : ''}${full && prim !== 0 ? ' full' : ''}`);
  const ipi = m.config.hw.tlb === 'ipi';
  if (prim === FLUSH_SYNC) return sendSync(m, x);
  const leaf = prim === FLUSH_LEAF;
  if (x.agent.countsCost) m.addCost(out, ipi ? N - 1 : 0, full ? N : 0, full || leaf ? 0 : perPage * N, leaf ? perPage * N : 0);
  if (!ipi) {
    for (let c = 0; c < N; c++) flushCpu(m, out, c, pages, regions, icache);
    return;
  }
  const from = x.cpu;
  flushCpu(m, out, from, pages, regions, icache);
  const a = x.agent;
  if (N === 1) return;
  const bit = 1 << a.index;
  for (let c = 0; c < N; c++) {
    if (c === from) continue;
    const f = m.inboxF[c]!;
    set(out, f, get(out, f) | bit);
  }
  set(out, a.flPrim!, prim);
  set(out, a.flPages!, pages);
  set(out, a.flRegions!, regions);
  if (a.flIcache) set(out, a.flIcache, icache ? 1 : 0);
}

/**
 * tlb_remove_table_sync_one: smp_call_function(noop, wait=1). An IPI to every
 * other CPU, whatever the TLB hardware, that invalidates nothing: its only
 * effect is to wait until each target has had interrupts on, so no
 * interrupts-off walker (gup_fast) that started before it is still walking.
 */
function sendSync(m: TlbMachine, x: Exec): void {
  const out = x.st;
  const N = m.N;
  if (x.agent.countsCost) m.addCost(out, N - 1, 0, 0);
  if (N === 1) return;
  const a = x.agent;
  const bit = 1 << a.index;
  for (let c = 0; c < N; c++) {
    if (c === x.cpu) continue;
    const f = m.inboxF[c]!;
    set(out, f, get(out, f) | bit);
  }
  set(out, a.flPrim!, FLUSH_SYNC);
  set(out, a.flPages!, 0);
  set(out, a.flRegions!, 0);
  if (a.flIcache) set(out, a.flIcache, 0);
}

/** Whether some CPU has not yet acknowledged kernel agent i's flush IPI. */
export function waitingForAcks(m: TlbMachine, s: State, i: number): boolean {
  if (!m.feat.ipi) return false;
  const bit = 1 << i;
  for (let c = 0; c < m.N; c++) {
    const f = m.inboxF[c];
    if (f && (get(s, f) & bit) !== 0) return true;
  }
  return false;
}
