/**
 * Context switches of a CPU that runs a thread of the mm (kernel/sched/
 * core.c context_switch, and the arch's switch_mm_irqs_off and
 * enter_lazy_tlb; x86 as arch/x86/mm/tlb.c has them, read in linux-next).
 * Each switch is one step of the CPU's scheduler, taken only with
 * interrupts on:
 *
 * - enter_lazy_tlb: a kernel thread runs; CR3, loaded_mm and the ASID stay
 *   the mm's (is_lazy), so the hardware may still walk its tables;
 * - back from lazy (prev == next, was_lazy): x86 reads tlb_gen after
 *   clearing is_lazy (smp_mb) and flushes if the CPU fell behind;
 * - to another mm: the mm's translations stay in the TLB under its PCID or
 *   ASID, unusable; the mm_cpumask bit stays (x86 clears it lazily, at the
 *   next flush IPI);
 * - back to the mm: set the mm_cpumask bit, then read tlb_gen ("start
 *   receiving IPIs and then read tlb_gen"), and flush if behind
 *   (choose_new_asid's need_flush).
 *
 * One step for the bit and the read is exact here: a flush step reads the
 * mask and the contexts in one step too, so either it sees the CPU or the
 * CPU sees the generation it advanced (the Dekker pair of MODERN §6).
 */
import { get, set } from '../../../src/engine/layout.ts';
import type { State } from '../../../src/engine/model.ts';
import type { TlbMachine } from '../machine.ts';
import { CTX_LAZY, CTX_OTHER, CTX_USER } from '../state.ts';
import { flushCpu } from '../hw/tlb.ts';

export const SWITCHES = [
  { from: [CTX_USER], to: CTX_LAZY, name: 'enter_lazy_tlb', text: 'switches to a kernel thread (enter_lazy_tlb: lazy, CR3 kept)' },
  { from: [CTX_LAZY], to: CTX_USER, name: 'switch_mm_irqs_off', text: 'switches back to the thread of the mm (from lazy)' },
  { from: [CTX_USER, CTX_LAZY], to: CTX_OTHER, name: 'switch_mm_irqs_off', text: 'switches to another mm' },
  { from: [CTX_OTHER], to: CTX_USER, name: 'switch_mm_irqs_off', text: 'switches back to the mm (sets its mm_cpumask bit)' },
] as const;

export function switchStep(m: TlbMachine, s: State, c: number, which: number, out: State): boolean {
  const sw = SWITCHES[which]!;
  const ctx = m.cpuCtx(s, c);
  if (!(sw.from as readonly number[]).includes(ctx) || m.irqsOff(s, c)) return false;
  m.copy(s, out);
  set(out, m.ctxF[c]!, sw.to);
  if (sw.to === CTX_OTHER) {
    // A new CR3: no walk of the mm's tables goes on.
    set(out, m.walkF[c]!, 0);
    const ww = m.walkWF[c];
    if (ww) set(out, ww, 0);
  }
  if (sw.to === CTX_USER) {
    set(out, m.cpumaskF[c]!, 1);
    if (m.lazyTlb === 'x86' && m.catchUp && get(out, m.behindF[c]!) === 1) {
      // The CPU's tlb_gen is behind the mm's: a flushing CR3 load (all of this PCID's entries).
      flushCpu(m, out, c, 2 ** m.V - 1, 2 ** m.R - 1, false);
      set(out, m.behindF[c]!, 0);
    }
  }
  return true;
}
