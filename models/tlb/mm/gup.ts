/**
 * gup_fast (mm/gup.c): a lockless software walk with interrupts off. Each
 * stage is one step, because each reads or writes memory another CPU can
 * change in between: local_irq_disable; read the pmd (from memory, never
 * from a walk cache); read the PTE from the table frame (nothing cancels
 * this read: only the IPI it holds off, or a table free deferred past it,
 * keeps it safe); take the reference (plain get_page, or
 * get_page_unless_zero then re-read the PTE and drop the reference if it
 * changed); local_irq_enable; later put_page. A reference pins the frame:
 * the mm's release only drops the mm's reference, and the last put_page
 * frees it.
 */
import { set } from '../../../src/engine/layout.ts';
import type { State } from '../../../src/engine/model.ts';
import type { TlbMachine } from '../machine.ts';
import { FREE, LIVE } from '../state.ts';

export const GUP_IDLE = 0;
export const GUP_READ_PMD = 1; // irqs off; next: read the upper-level entry
export const GUP_READ_PTE = 2; // holds the table pointer; next: read the PTE
export const GUP_GET_REF = 3; // saw a present PTE; next: take the reference
export const GUP_RECHECK = 4; // (speculative) holds a reference; next: re-read the PTE
export const GUP_IRQ_ON = 5; // holds a reference; next: local_irq_enable
export const GUP_PUT = 6; // irqs on, holds a reference; next: put_page
export const GUP_NAMES = ['idle', 'irqs off, reading pmd', 'reading PTE', 'taking reference', 're-checking PTE', 'holding page, irqs off', 'holding page, irqs on'] as const;

/** Whether gup_fast on a CPU in `stage` holds a reference on its page. */
export function gupHoldsRef(stage: number): boolean {
  return stage === GUP_RECHECK || stage === GUP_IRQ_ON || stage === GUP_PUT;
}

export function gupStart(m: TlbMachine, s: State, c: number, v: number, out: State): boolean {
  // local_irq_disable, and pick the address: one step, since nothing else can observe the gap between them.
  if (m.gupStage(s, c) !== GUP_IDLE) return false;
  m.copy(s, out);
  set(out, m.gupStageF[c]!, GUP_READ_PMD);
  set(out, m.gupPageF[c]!, v);
  return true;
}

export function gupStep(m: TlbMachine, s: State, c: number, out: State): boolean {
  const st = m.gupStage(s, c);
  if (st === GUP_IDLE) return false;
  const v = m.gupPage(s, c);
  const g = m.g;
  const r = g.regionOf[v]!;
  const table = m.tableFrame(g.tableOf[r]!);
  const f = m.frameOf(v);
  const slot = g.slotOf[v]!;
  m.copy(s, out);
  let next: number;
  let irqsBackOn = false;
  switch (st) {
    case GUP_READ_PMD:
      // A huge pmd: gup_fast_pmd_leaf on a folio the model does not track.
      if (m.pmdTable(s, r)) next = GUP_READ_PTE;
      else [next, irqsBackOn] = [GUP_IDLE, true];
      break;
    case GUP_READ_PTE:
      if (m.frameState(s, table) === LIVE && m.ptePresent(s, slot)) next = GUP_GET_REF;
      else [next, irqsBackOn] = [GUP_IDLE, true];
      break;
    case GUP_GET_REF:
      if (m.config.gupRef === 'get_page') next = GUP_IRQ_ON;
      // get_page_unless_zero fails on a frame whose count dropped to zero.
      else if (m.frameState(s, f) === FREE) [next, irqsBackOn] = [GUP_IDLE, true];
      else next = GUP_RECHECK;
      break;
    case GUP_RECHECK:
      // Re-read the PTE (today's gup_fast_pte_range also the pmd: pmd_val(pmd) != pmd_val(*pmdp));
      // if either changed, drop the reference again (put_page).
      if (!m.gupRecheck || (m.frameState(s, table) === LIVE && m.ptePresent(s, slot) && (!m.feat.v6 || m.pmdTable(s, r)))) next = GUP_IRQ_ON;
      else {
        set(out, m.gupStageF[c]!, GUP_IDLE);
        m.releaseFrame(out, f);
        [next, irqsBackOn] = [GUP_IDLE, true];
      }
      break;
    case GUP_IRQ_ON:
      [next, irqsBackOn] = [GUP_PUT, true];
      break;
    default:
      // GUP_PUT: the caller is done with the page: put_page, which frees a frame nobody else holds.
      set(out, m.gupStageF[c]!, GUP_IDLE);
      m.releaseFrame(out, f);
      next = GUP_IDLE;
  }
  set(out, m.gupStageF[c]!, next);
  if (irqsBackOn) m.leaveIrqOff(out, c);
  return true;
}
