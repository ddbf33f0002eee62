/**
 * The last line of a counterexample: what went wrong, in kernel words, with
 * the steps that set it up (when the stale entry was cached, when the frame
 * was freed). Display only.
 */
import type { ExplainInput, State } from '../src/engine/model.ts';
import { get } from '../src/engine/layout.ts';
import { Kind, type TlbMachine } from '../models/tlb/machine.ts';
import { GUP_GET_REF, GUP_READ_PTE, GUP_RECHECK } from '../models/tlb/mm/gup.ts';
import { FREE, LIVE, REUSED } from '../models/tlb/state.ts';

export function explainTlb(m: TlbMachine, t: ExplainInput): string {
  const states: State[] = [t.initial, ...t.steps.map((s) => s.state)];
  const n = t.steps.length;
  const before = states[n - 1] ?? t.initial;
  const last = t.steps[n - 1];
  const a = last?.action ?? -1;
  const c = a >= 0 ? m.cpuOf[a]! : -1;
  const { K, g } = m;
  const tableOfPage = (v: number): number => m.tableFrame(g.tableOf[g.regionOf[v]!]!);
  const gone = (st: number): boolean => st === FREE || st === REUSED;

  /** The step (1-based) at which `pred` last became true up to step `upto`; 0 if it held from the start. */
  const since = (pred: (s: State) => boolean, upto: number): number => {
    let j = upto;
    while (j > 0 && pred(states[j - 1]!)) j--;
    return j;
  };
  const at = (j: number): string => (j === 0 ? 'before step 1' : `at step ${j}`);
  const freedAt = (f: number, upto: number): number => since((s) => gone(m.frameState(s, f)), upto);
  /** The last flush step up to `upto`, or 0. */
  const lastFlush = (upto: number): number => {
    for (let j = upto; j >= 1; j--) {
      const k = t.steps[j - 1]!.action;
      if (m.kind[k] === Kind.Kernel && m.kagents[m.argOf[k]!]!.next(states[j - 1]!)?.kind === 'flush') return j;
    }
    return 0;
  };
  const frame = (f: number): string => `frame ${f}`;

  switch (t.property) {
    case 'no-stale-tlb-at-free': {
      for (let f = 0; f < K; f++) {
        if (!(m.frameState(states[n]!, f) === FREE && !gone(m.frameState(before, f)))) continue;
        for (let x = 0; x < m.N; x++) {
          for (let v = f; v < g.vpages; v += K) {
            if (!m.tlbHas(before, x, v)) continue;
            const filled = since((s) => m.tlbHas(s, x, v), n - 1);
            return `cpu${x}'s TLB still maps page ${v} to frame ${f} (cached ${at(filled)}) when step ${n} frees ${frame(f)}: no flush reached cpu${x} in between, so a later access through that entry would use a freed frame.`;
          }
        }
      }
      break;
    }
    case 'no-access-after-free': {
      const p = m.kind[a] === Kind.WalkPte ? m.walkPage(before, c) : m.argOf[a]!;
      const f = m.frameOf(p);
      const filled = since((s) => m.tlbHas(s, c, p), n - 1);
      const freed = freedAt(f, n - 1);
      const reused = m.frameState(before, f) === REUSED ? ` and handed to a new owner at step ${since((s) => m.frameState(s, f) === REUSED, n - 1)}` : '';
      const verb = m.kind[a] === Kind.Exec ? 'executes' : m.kind[a] === Kind.Write ? 'writes' : 'reads';
      return `cpu${c} ${verb} page ${p} through the TLB entry cached ${at(filled)}, but ${frame(f)} was freed at step ${freed}${reused}: the access reaches memory the mm no longer owns.`;
    }
    case 'no-walk-cache-after-table-free': {
      for (let x = 0; x < m.TF; x++) {
        if (!(m.frameState(before, K + x) === LIVE && m.frameState(states[n]!, K + x) === FREE)) continue;
        for (let y = 0; y < m.N; y++) {
          const r = g.tableOf.indexOf(x);
          if (r < 0 || !m.wcHas(before, y, r)) continue;
          const cached = since((s) => m.wcHas(s, y, r), n - 1);
          const fl = lastFlush(n - 1);
          return `cpu${y}'s walk cache still holds the pmd of table ${x} (${frame(K + x)}), cached ${at(cached)}${fl > 0 && fl < cached ? ` after the last flush (step ${fl})` : ''}, when step ${n} frees that table: a later walk would read a freed page as a page table.`;
        }
      }
      break;
    }
    case 'no-walk-of-freed-table': {
      if (m.kind[a] === Kind.WalkPte) {
        const p = m.walkPage(before, c);
        const tf = tableOfPage(p);
        const started = since((s) => m.walkPage(s, c) === p, n - 1);
        return `cpu${c}'s hardware walk of page ${p} took the pmd of table ${tf - K} at step ${started}; ${frame(tf)} was freed at step ${freedAt(tf, n - 1)} while the walk held it, and step ${n} reads a PTE from the freed frame.`;
      }
      if (m.kind[a] === Kind.GupStep) {
        const p = m.gupPage(before, c);
        const tf = tableOfPage(p);
        const read = since((s) => {
          const st = m.gupStage(s, c);
          return st >= GUP_READ_PTE && st <= GUP_RECHECK;
        }, n - 1);
        const why =
          m.config.hw.tlb === 'broadcast'
            ? 'a broadcast flush does not wait for interrupts-off sections'
            : 'the table was freed before any IPI this walk could hold off';
        return `cpu${c}'s gup_fast(page ${p}) read the pmd at step ${read} with interrupts off; ${frame(tf)} was freed at step ${freedAt(tf, n - 1)} (${why}), and step ${n} reads a PTE from freed memory.`;
      }
      if (m.kind[a] === Kind.Kernel) {
        const ag = m.kagents[m.argOf[a]!]!;
        let t = -1;
        for (let x = 0; x < m.TF; x++) if ((get(before, ag.ptl!) >>> x) & 1 && m.frameState(before, K + x) !== LIVE) t = x;
        return `${ag.name} still walks table ${t} under its PTL (taken ${at(since((s) => ((get(s, ag.ptl!) >>> t) & 1) === 1, n - 1))}), but ${frame(K + t)} was freed at step ${freedAt(K + t, n - 1)}: free_pgtables takes no PTL, so only the isolation of the VMAs keeps other paths out of a table it frees.`;
      }
      break;
    }
    case 'no-stale-icache': {
      const f = m.argOf[a]!;
      const line = since((s) => m.icLine(s, c, f) > 0, n - 1);
      const written = since((s) => m.frameGen(s, f) === 1, n - 1);
      const fl = lastFlush(n - 1);
      const flushNote = fl > 0 ? `; the flush at step ${fl} did not evict i-caches` : '';
      return `cpu${c}'s i-cache holds the old code of ${frame(f)} (cached ${at(line)}); the frame was freed at step ${freedAt(f, n - 1)}${flushNote}, new code was written into it at step ${written}, and step ${n} executes the stale lines on cpu${c} with no context switch in between.`;
    }
    case 'tlb-coherent-at-return': {
      const ag = m.kagents[m.argOf[a]!]!;
      const revoked = get(before, ag.revoked);
      for (let x = 0; x < m.N; x++) {
        for (let p = 0; p < g.vpages; p++) {
          if (!((revoked >>> p) & 1)) continue;
          const bits = m.pteBits(before, g.slotOf[p]!);
          const staleEntry = ag.revokes === 'mapping' && m.tlbHas(before, x, p) && !(bits & 1);
          const staleWrite = m.tlbWritable(before, x, p) && (bits & 7) !== 7;
          if (!staleEntry && !staleWrite) continue;
          const filled = since((s) => m.tlbHas(s, x, p), n - 1);
          const fl = lastFlush(n - 1);
          const what = staleEntry ? `page ${p}, whose PTE is gone` : `a writable translation of page ${p}, which its PTE no longer grants`;
          return `${ag.name} returns at step ${n} while cpu${x} still caches ${what} (cached ${at(filled)}${fl > 0 ? `; the last flush was at step ${fl}` : '; nothing was flushed'}): the syscall's caller may rely on no CPU using it.`;
        }
      }
      break;
    }
    case 'gup-fast-no-freed-ref': {
      const p = m.gupPage(before, c);
      const saw = since((s) => m.gupStage(s, c) >= GUP_GET_REF, n - 1);
      const stage = m.gupStage(before, c);
      const what = stage === GUP_RECHECK ? 'keeps its speculative reference after re-reading the PTE' : 'get_page() takes a reference';
      return `cpu${c}'s gup_fast saw page ${p}'s PTE present at step ${saw}; ${frame(p)} was freed at step ${freedAt(p, n - 1)}${m.config.hw.tlb === 'broadcast' ? ' (the broadcast flush did not wait for the interrupts-off walk)' : ''}, and at step ${n} ${what} on the freed frame.`;
    }
    case 'no-write-during-writeback': {
      const ag = m.kagents[m.argOf[a]!]!;
      const ins = ag.next(before);
      const f = ins?.subject ? ins.subject(ag.view(before)) : 0;
      for (let x = 0; x < m.N; x++) {
        for (let v = f; v < g.vpages; v += K) {
          if (!m.tlbWritable(before, x, v)) continue;
          const filled = since((s) => m.tlbWritable(s, x, v), n - 1);
          return `step ${n} starts writing ${frame(f)} back while cpu${x} still holds a writable TLB entry for page ${v} (cached ${at(filled)}): a write through it after this point is lost with the page.`;
        }
      }
      break;
    }
    case 'no-copy-of-pinned-page': {
      const ag = m.kagents[m.argOf[a]!]!;
      const ins = ag.next(before);
      const f = ins?.copies ? ins.copies(ag.view(before)) : 0;
      for (let x = 0; x < m.N; x++) {
        if (m.frameOf(m.gupPage(before, x)) !== f || m.gupStage(before, x) < GUP_RECHECK) continue;
        const kept = since((s) => m.gupStage(s, x) >= GUP_RECHECK, n - 1);
        return `cpu${x}'s gup_fast keeps a reference on ${frame(f)} (taken at step ${kept}) when step ${n} copies it into the huge page: a write through that pin after the copy is lost.`;
      }
      break;
    }
    case 'no-deadlock': {
      const end = states[n]!;
      const stuck: string[] = [];
      for (let x = 0; x < m.N; x++) {
        if (!m.irqsOff(end, x)) continue;
        const ag = m.kagents.find((k) => k.cpu === x);
        const who = ag ? ag.name : `cpu${x}`;
        stuck.push(`cpu${x} (${who}) has interrupts off and waits for acknowledgements of its flush IPI`);
      }
      return `no agent can move: ${stuck.join('; ') || 'every agent is blocked'}; neither can take the other's IPI.`;
    }
  }
  return `${t.property} is violated at step ${n}.`;
}
