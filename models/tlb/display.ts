/**
 * How the machine reads in a trace: step labels (long, with the kernel call
 * stack, and short, for a lane), why a step is not enabled, the lanes a
 * step reaches, and the decoded state that diffs are computed from. Display
 * only: nothing here runs during a search.
 */
import { get } from '../../src/engine/layout.ts';
import type { Json, State } from '../../src/engine/model.ts';
import { FLUSH_PRIMITIVES, maskList } from './kernel/builder.ts';
import { locksHeld } from './kernel/locks.ts';
import { Kind, type TlbMachine } from './machine.ts';
import { GUP_IDLE, GUP_IRQ_ON, GUP_NAMES, GUP_READ_PMD, GUP_READ_PTE, GUP_GET_REF, GUP_RECHECK } from './mm/gup.ts';
import { CTX_NAMES, CTX_USER, FRAME_NAMES, LIVE, PTE_DIRTY, PTE_PRESENT, PTE_WRITE, VMA_NAMES } from './state.ts';
import { SWITCHES } from './kernel/sched.ts';

function shortExtent(mask: number): string {
  const l: number[] = [];
  for (let i = 0; mask >>> i; i++) if ((mask >>> i) & 1) l.push(i);
  return l.length === 1 ? `p${l[0]}` : `p${l[0]}-${l[l.length - 1]}`;
}

function pagesText(mask: number, all: number): string {
  if (mask === all) return 'whole mm';
  const l: number[] = [];
  for (let i = 0; mask >>> i; i++) if ((mask >>> i) & 1) l.push(i);
  return `${l.length === 1 ? 'page' : 'pages'} ${l.length === 1 ? l[0] : `${l[0]}-${l[l.length - 1]}`}`;
}

/** The long label of action a in state s. */
export function describe(m: TlbMachine, s: State, a: number): string {
  const c = m.cpuOf[a]!;
  const arg = m.argOf[a]!;
  const g = m.g;
  switch (m.kind[a] as Kind) {
    case Kind.Kernel: {
      const ag = m.kagents[arg]!;
      const ins = ag.next(s);
      if (!ins) return `${ag.path}: done`;
      const x = ag.view(s);
      x.choice = m.choiceOf[a]!;
      const held = locksHeld(m, s, ag);
      const holding = held.length > 0 ? ` [holding ${held.join(', ')}]` : '';
      return `${ins.stack.filter(Boolean).join(' > ')}: ${ins.label ? ins.label(x) : ins.stack[ins.stack.length - 1]}${holding}`;
    }
    case Kind.Ipi: {
      const ag = m.kagents[arg]!;
      const prim = FLUSH_PRIMITIVES[get(s, ag.flPrim!)] ?? 'flush';
      return `IPI from cpu${ag.cpu} (${ag.path}): ${prim} ${pagesText(get(s, ag.flPages!), 2 ** m.V - 1)}`;
    }
    case Kind.WalkStart:
    case Kind.WalkWrite: {
      const r = g.regionOf[arg]!;
      const w = m.kind[a] === Kind.WalkWrite ? 'write walk' : walkName(m);
      return m.wcHas(s, c, r)
        ? `${w} of page ${arg}: pmd of table ${g.tableOf[r]} from the walk cache`
        : `${w} of page ${arg}: read pmd of table ${g.tableOf[r]}${m.feat.walkCache ? ' (cached in the walk cache)' : ''}`;
    }
    case Kind.WalkPte: {
      const v = m.walkPage(s, c);
      if (v < 0) return m.actions[a]!.name;
      const table = m.tableFrame(g.tableOf[g.regionOf[v]!]!);
      const ok = m.frameState(s, table) === LIVE;
      const bits = m.pteBits(s, g.slotOf[v]!);
      const present = (bits & PTE_PRESENT) !== 0;
      const write = m.walkWF[c] !== undefined && get(s, m.walkWF[c]!) === 1;
      const fill = write ? ((bits & PTE_WRITE) !== 0 ? ', set the dirty bit, fill a writable TLB entry' : ' (not writable: fault)') : ', fill the TLB';
      return `${walkName(m)} of page ${v}: read its PTE from ${m.frameName(table)}${!ok ? ' (no longer a page table!)' : present ? fill : ' (not present)'}`;
    }
    case Kind.Read:
      return `read page ${arg} through the TLB (${m.frameName(m.frameOf(arg))} is ${FRAME_NAMES[m.frameState(s, m.frameOf(arg))]})`;
    case Kind.Write:
      return `write page ${arg} through a writable TLB entry (${m.frameName(m.frameOf(arg))} is ${FRAME_NAMES[m.frameState(s, m.frameOf(arg))]})`;
    case Kind.Exec:
      return `execute page ${arg} through the TLB`;
    case Kind.GupStart:
      return `gup_fast(page ${arg}): local_irq_disable`;
    case Kind.GupStep: {
      const st = m.gupStage(s, c);
      const v = m.gupPage(s, c);
      const t = g.tableOf[g.regionOf[v]!]!;
      const f = m.frameOf(v);
      switch (st) {
        case GUP_READ_PMD:
          return `gup_fast(page ${v}): read pmd of table ${t}`;
        case GUP_READ_PTE:
          return `gup_fast(page ${v}): read PTE from ${m.frameName(m.tableFrame(t))}`;
        case GUP_GET_REF:
          return m.config.gupRef === 'get_page' ? `gup_fast(page ${v}): get_page(${m.frameName(f)})` : `gup_fast(page ${v}): get_page_unless_zero(${m.frameName(f)})`;
        case GUP_RECHECK:
          return `gup_fast(page ${v}): re-read the PTE`;
        case GUP_IRQ_ON:
          return `gup_fast(page ${v}): local_irq_enable`;
        default:
          return `put_page(${m.frameName(f)})`;
      }
    }
    case Kind.Reuse:
      return `allocator hands out ${m.frameName(arg)}`;
    case Kind.WriteCode:
      return `new owner writes code into ${m.frameName(arg)}`;
    case Kind.ExecNew:
      return `kernel executes the new code of ${m.frameName(arg)} (no context switch)`;
    case Kind.RcuFree: {
      const pending = get(s, m.rcuF!);
      const t = 31 - Math.clz32(pending & -pending);
      return `RCU callback: free ${m.frameName(m.tableFrame(t))}`;
    }
    case Kind.Switch: {
      const sw = SWITCHES[arg]!;
      const back = sw.to === CTX_USER && m.lazyTlb === 'x86' && m.catchUp && m.tlbGenBehind(s, c);
      return `cpu${c} ${sw.text}${back ? ': its tlb_gen is behind, so the CR3 load flushes every entry of the mm' : ''}`;
    }
  }
  return m.actions[a]!.name;
}

export function shortLabel(m: TlbMachine, s: State, a: number): string {
  const c = m.cpuOf[a]!;
  const arg = m.argOf[a]!;
  const g = m.g;
  switch (m.kind[a] as Kind) {
    case Kind.Kernel: {
      const ag = m.kagents[arg]!;
      const ins = ag.next(s);
      if (!ins) return 'done';
      const x = ag.view(s);
      x.choice = m.choiceOf[a]!;
      return ins.short ? ins.short(x) : ins.stack[ins.stack.length - 1]!;
    }
    case Kind.Ipi: {
      const ag = m.kagents[arg]!;
      const prim = get(s, ag.flPrim!);
      return `IPI: ${prim === 0 ? 'flush_tlb_mm' : `${FLUSH_PRIMITIVES[prim]} ${shortExtent(get(s, ag.flPages!))}`}`;
    }
    case Kind.WalkStart:
      return `walk p${arg}: ${m.wcHas(s, c, g.regionOf[arg]!) ? 'cached pmd' : 'read pmd'}`;
    case Kind.WalkWrite:
      return `write walk p${arg}: ${m.wcHas(s, c, g.regionOf[arg]!) ? 'cached pmd' : 'read pmd'}`;
    case Kind.WalkPte: {
      const v = m.walkPage(s, c);
      if (v < 0) return m.actions[a]!.name;
      if (m.frameState(s, m.tableFrame(g.tableOf[g.regionOf[v]!]!)) !== LIVE) return `walk p${v}: freed table!`;
      return `walk p${v}: ${m.ptePresent(s, g.slotOf[v]!) ? 'PTE -> TLB' : 'PTE none'}`;
    }
    case Kind.Read:
      return `read p${arg} (frame ${FRAME_NAMES[m.frameState(s, m.frameOf(arg))]})`;
    case Kind.Write:
      return `write p${arg} (frame ${FRAME_NAMES[m.frameState(s, m.frameOf(arg))]})`;
    case Kind.Exec:
      return `exec p${arg}`;
    case Kind.GupStart:
      return `gup p${arg}: irqs off`;
    case Kind.GupStep: {
      const v = m.gupPage(s, c);
      return `gup p${v}: ${['', 'read pmd', 'read PTE', m.config.gupRef === 'get_page' ? 'get_page' : 'get_unless_zero', 'recheck PTE', 'irqs on', 'put_page'][m.gupStage(s, c)]}`;
    }
    case Kind.Reuse:
      return `reuse frame ${arg}`;
    case Kind.WriteCode:
      return `new code in frame ${arg}`;
    case Kind.ExecNew:
      return `exec new code fr ${arg}`;
    case Kind.RcuFree: {
      const pending = get(s, m.rcuF!);
      return `free table frame ${m.tableFrame(31 - Math.clz32(pending & -pending))}`;
    }
    case Kind.Switch:
      return ['enter_lazy_tlb', 'back from lazy', 'switch to another mm', 'switch back to the mm'][arg]!;
  }
  return m.actions[a]!.name;
}

/** Why action `a` cannot be taken in `s` (for replay errors), or undefined if it can. */
export function whyDisabled(m: TlbMachine, s: State, a: number): string | undefined {
  if (m.step(s, a, new Uint32Array(m.words))) return undefined;
  const c = m.cpuOf[a]!;
  const arg = m.argOf[a]!;
  switch (m.kind[a] as Kind) {
    case Kind.Kernel: {
      const ag = m.kagents[arg]!;
      const ins = ag.next(s);
      if (!ins) return `${ag.name} has already returned`;
      if (m.waitingForAcks(s, arg)) return `${ag.name} waits for CPUs to acknowledge its flush IPI (${pendingCpus(m, s, arg)})`;
      return ins.why?.(ag.view(s)) ?? `${ag.name} cannot take its next step`;
    }
    case Kind.Ipi:
      return m.irqsOff(s, c) ? `cpu${c} has interrupts disabled` : `no IPI is pending on cpu${c}`;
    case Kind.WalkStart:
    case Kind.WalkWrite:
      if (m.walkPage(s, c) >= 0) return `cpu${c} already has a walk in flight`;
      if (m.tlbHas(s, c, arg)) return `cpu${c}'s TLB already maps page ${arg}`;
      return `the pmd of table ${m.g.tableOf[m.g.regionOf[arg]!]} is cleared and not in cpu${c}'s walk cache`;
    case Kind.WalkPte:
      return `cpu${c} has no walk in flight`;
    case Kind.Read:
    case Kind.Write:
    case Kind.Exec:
      if (m.gupStage(s, c) !== GUP_IDLE) return `cpu${c}'s thread is inside gup_fast`;
      if (!m.tlbHas(s, c, arg)) return `cpu${c}'s TLB does not map page ${arg}`;
      return 'the access would change nothing and reach a live frame';
    case Kind.GupStart:
      return `cpu${c} is already inside gup_fast`;
    case Kind.GupStep:
      return `cpu${c} is not inside gup_fast`;
    case Kind.Reuse:
      return `${m.frameName(arg)} is not free`;
    case Kind.WriteCode:
      return `${m.frameName(arg)} is not a reused frame without new code`;
    case Kind.ExecNew:
      if (m.kernelBusy(s, c)) return `cpu${c} is still inside a kernel path`;
      return `${m.frameName(arg)} holds no new code, or cpu${c} already runs it`;
    case Kind.RcuFree:
      return get(s, m.rcuF!) === 0 ? 'no table waits for RCU' : 'the grace period has not ended (a CPU is still in an interrupts-off section)';
  }
  return 'not enabled';
}

function pendingCpus(m: TlbMachine, s: State, i: number): string {
  const out: string[] = [];
  for (let c = 0; c < m.N; c++) if ((m.inbox(s, c) >>> i) & 1) out.push(`cpu${c}${m.irqsOff(s, c) ? ', interrupts off' : ''}`);
  return out.join('; ');
}

/** Trace lane of an action: the CPU it runs on, else the allocator or RCU. */
export function column(m: TlbMachine, a: number): string {
  const k = m.kind[a] as Kind;
  if (k === Kind.Reuse || k === Kind.WriteCode) return 'allocator';
  if (k === Kind.RcuFree) return 'rcu';
  return `cpu${m.cpuOf[a]!}`;
}

/** Lanes a step reaches besides its own: a flush's targets, an IPI's initiator. */
export function links(m: TlbMachine, s: State, a: number): { column: string; label: string }[] {
  const k = m.kind[a] as Kind;
  if (k === Kind.Ipi) return [{ column: `cpu${m.kagents[m.argOf[a]!]!.cpu}`, label: 'ack' }];
  if (k !== Kind.Kernel) return [];
  const ag = m.kagents[m.argOf[a]!]!;
  const ins = ag.next(s);
  if (!ins || ins.kind !== 'flush') return [];
  // Who the step reached: the inboxes it set (IPIs, tlb_remove_table_sync_one on any hardware), else a broadcast.
  const t = new Uint32Array(m.words);
  if (!m.step(s, a, t)) return [];
  const bit = 1 << ag.index;
  const out: { column: string; label: string }[] = [];
  for (let c = 0; c < m.N; c++) if (c !== ag.cpu && (m.inbox(t, c) & bit) !== 0 && (m.inbox(s, c) & bit) === 0) out.push({ column: `cpu${c}`, label: 'IPI' });
  if (out.length > 0 || m.config.hw.tlb === 'ipi') return out;
  for (let c = 0; c < m.N; c++) if (c !== ag.cpu) out.push({ column: `cpu${c}`, label: 'broadcast' });
  return out;
}

/** The style of a step, for renderers: flushes, frees and lock steps are drawn differently. */
export function stepKind(m: TlbMachine, s: State, a: number): string | undefined {
  if (m.kind[a] === Kind.RcuFree) return 'free';
  if (m.kind[a] !== Kind.Kernel) return undefined;
  const k = m.kagents[m.argOf[a]!]!.next(s)?.kind;
  return k === 'flush' || k === 'free' || k === 'lock' ? k : undefined;
}

/** Locks held, interrupts-off sections and walks in flight, per CPU lane. */
export function laneSpans(m: TlbMachine, s: State): { column: string; kind: string; label: string }[] {
  const out: { column: string; kind: string; label: string }[] = [];
  for (const a of m.kagents) for (const l of locksHeld(m, s, a)) if (l !== 'irqs off') out.push({ column: `cpu${a.cpu}`, kind: 'lock held', label: l });
  for (let c = 0; c < m.N; c++) {
    if (m.irqsOff(s, c)) out.push({ column: `cpu${c}`, kind: 'irqs off', label: 'interrupts disabled' });
    const v = m.walkPage(s, c);
    if (v >= 0) out.push({ column: `cpu${c}`, kind: 'walk in flight', label: `${walkName(m)} of page ${v}` });
  }
  return out;
}

export function decode(m: TlbMachine, s: State): Json {
  const { K, TF, N, g } = m;
  const frames: { [k: string]: Json } = {};
  for (let f = 0; f < K + TF; f++) {
    const st = m.frameState(s, f);
    let text = (f < K ? 'data ' : 'table ') + (st === LIVE ? 'live' : FRAME_NAMES[st]);
    if (m.feat.icache && f < K && m.frameGen(s, f)) text += ' (new code)';
    if (f < K && m.maskBit(s, m.folioDirtyF, f)) text += ', dirty';
    if (f < K && m.maskBit(s, m.lazyfreeF, f)) text += ', lazyfree';
    frames[`frame${f}`] = text;
  }
  const pte: { [k: string]: Json } = {};
  for (let v = 0; v < g.vpages; v++) {
    const bits = m.pteBits(s, g.slotOf[v]!);
    pte[`page${v}`] = bits & PTE_PRESENT ? `frame ${m.frameOf(v)}${m.feat.writes ? ` ${bits & PTE_WRITE ? 'rw' : 'ro'}${bits & PTE_DIRTY ? ' dirty' : ''}` : ''}` : 'none';
  }
  const pmd: { [k: string]: Json } = {};
  for (let r = 0; r < g.regions; r++) pmd[`region${r}`] = m.pmdPresent(s, r) ? `table ${g.tableOf[r]} (frame ${m.tableFrame(g.tableOf[r]!)})` : 'none';
  const out: { [k: string]: Json } = {};
  for (const a of m.kagents) {
    const pc = a.pcOf(s);
    const x = a.view(s);
    const t = x.tlb;
    const rec: { [k: string]: Json } = { state: pc >= a.prog.length ? 'returned' : 'running' };
    const locks = locksHeld(m, s, a);
    if (locks.length) rec['locks'] = locks.join(', ');
    if (m.feat.v6 || t.hasRange || t.batch || t.table_batch) {
      const gather: { [k: string]: Json } = {};
      gather['range'] = t.hasRange ? `${t.start}-${t.end - 1}` : 'empty';
      const flags = (['fullmm', 'need_flush_all', 'freed_tables', 'cleared_ptes', 'cleared_pmds', 'vma_exec'] as const).filter((f) => t[f]);
      if (m.config.backend.kernel === '2011' && t.need_flush) flags.push('need_flush' as never);
      gather['flags'] = flags.join(' ') || 'none';
      gather['batch'] = maskFrames(t.batch, K) || 'empty';
      if (t.table_batch) gather['table_batch'] = `tables ${maskList(t.table_batch)}`;
      rec['tlb'] = gather;
    }
    const rv = get(s, a.revoked);
    if (rv) rec['revoked'] = `pages ${maskList(rv)}`;
    out[a.name] = rec;
  }
  out['pte'] = pte;
  out['pmd'] = pmd;
  out['frames'] = frames;
  if (m.feat.v6) {
    const mm: { [k: string]: Json } = { tlb_flush_pending: m.flushPending(s) };
    if (m.batchedPendingF) mm['tlb_flush_batched'] = `pending ${get(s, m.batchedPendingF)}, flushed ${get(s, m.batchedFlushedF!)}`;
    for (const v of g.vmas) mm[`vma${v.index}`] = VMA_NAMES[m.vmaState(s, v.index)]! + (m.vmaWriteLocked(s, v.index) ? ', write-locked' : '');
    out['mm'] = mm;
  }
  for (let c = 0; c < N; c++) {
    const tlb: { [k: string]: Json } = {};
    for (let v = 0; v < g.vpages; v++) if (m.tlbHas(s, c, v)) tlb[`page${v}`] = `frame ${m.frameOf(v)}${m.tlbWritable(s, c, v) ? ' (writable)' : ''}`;
    const cpu: { [k: string]: Json } = { tlb };
    if (m.feat.walkCache) {
      const wc: { [k: string]: Json } = {};
      for (let r = 0; r < g.regions; r++) if (m.wcHas(s, c, r)) wc[`region${r}`] = `table ${g.tableOf[r]}`;
      cpu['walkCache'] = wc;
    }
    if (m.feat.ctx) {
      cpu['runs'] = CTX_NAMES[m.cpuCtx(s, c)]!;
      cpu['mm_cpumask'] = m.inCpumask(s, c);
      if (m.lazyTlb === 'x86') cpu['tlb_gen'] = m.tlbGenBehind(s, c) ? 'behind' : 'current';
    }
    const wp = m.walkPage(s, c);
    if (m.roles[c]!.walks) cpu['walk'] = wp < 0 ? 'idle' : `page ${wp}, holding pmd of table ${g.tableOf[g.regionOf[wp]!]}`;
    if (m.feat.icache) {
      const lines: { [k: string]: Json } = {};
      for (let f = 0; f < K; f++) {
        const l = m.icLine(s, c, f);
        if (l > 0) lines[`frame${f}`] = l === 1 ? 'old code' : 'new code';
      }
      cpu['icache'] = lines;
    }
    cpu['irqs'] = m.irqsOff(s, c) ? 'off' : 'on';
    if (m.feat.ipi && m.kagents.length > 0) {
      const from: string[] = [];
      for (const ag of m.kagents) if ((m.inbox(s, c) >>> ag.index) & 1) from.push(`from cpu${ag.cpu}`);
      cpu['ipi'] = from.join(', ') || 'none';
    }
    if (m.usesRcu) cpu['rcuWait'] = get(s, m.rcuWaitF[c]!) === 1;
    if (m.roles[c]!.gup) {
      const st = m.gupStage(s, c);
      cpu['gup'] = st === GUP_IDLE ? 'idle' : `page ${m.gupPage(s, c)}: ${GUP_NAMES[st]}`;
    }
    out[`cpu${c}`] = cpu;
  }
  if (m.rcuF) out['rcuPending'] = maskList(get(s, m.rcuF)) || 'none';
  return out;
}

function maskFrames(mask: number, K: number): string {
  const out: string[] = [];
  for (let f = 0; mask >>> f; f++) if ((mask >>> f) & 1) out.push(f < K ? `frame ${f}` : `table frame ${f}`);
  return out.join(', ');
}

/** What walks the tables: the MMU (x86, ARM, ...), or the TLB-miss handler's code (SH, Tile, sparc64's TSB miss, powerpc's hash_page). */
function walkName(m: TlbMachine): string {
  return m.config.hw.speculativeWalks ? 'hardware walk' : 'software refill walk';
}
