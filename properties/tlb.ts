/**
 * The predicates of the TLB invariants. Each is a check of one transition
 * (s --a--> t), since every property speaks of an event: a free, an access,
 * a walk's read, a return. They read the state only through TlbMachine's
 * accessors, so the state layout can change without touching them.
 */
import type { Invariant, State } from '../src/engine/model.ts';
import { FREE, GUP_GET_REF, GUP_READ_PTE, GUP_RECHECK, Kind, LIVE, REUSED, ZOMBIE, type TlbMachine } from '../models/tlb/machine.ts';
import { TLB_PROPERTIES, type TlbPropertyId } from './index.ts';

type StepCheck = (s: State, a: number, t: State) => boolean;

export function tlbInvariants(m: TlbMachine): Invariant[] {
  const { K, T, N } = m;
  const gone = (st: number): boolean => st === FREE || st === REUSED;

  /** Data frames that went from held to FREE in this step. */
  const freedData = (s: State, t: State): number => {
    let mask = 0;
    for (let f = 0; f < K; f++) {
      const before = m.frameState(s, f);
      if ((before === LIVE || before === ZOMBIE) && m.frameState(t, f) === FREE) mask |= 1 << f;
    }
    return mask;
  };

  const checks: Record<Exclude<TlbPropertyId, 'no-deadlock'>, StepCheck> = {
    'no-stale-tlb-at-free'(s, a, t) {
      const k = m.kind[a];
      if (k !== Kind.Unmap && k !== Kind.GupStep) return true;
      const freed = freedData(s, t);
      if (freed === 0) return true;
      for (let c = 0; c < N; c++) if ((m.tlbMask(s, c) & freed) !== 0) return false;
      return true;
    },
    'no-access-after-free'(s, a) {
      const k = m.kind[a];
      const c = m.cpuOf[a]!;
      if (k === Kind.Read || k === Kind.Exec) return !(m.tlbHas(s, c, m.argOf[a]!) && gone(m.frameState(s, m.argOf[a]!)));
      if (k === Kind.WalkPte) {
        const p = m.walkPage(s, c);
        const table = K + m.geometry.regionOf[p]!;
        // A walk that fills the TLB reaches the frame its PTE points at.
        return !(m.frameState(s, table) === LIVE && m.ptePresent(s, p) && gone(m.frameState(s, p)));
      }
      return true;
    },
    'no-walk-cache-after-table-free'(s, a, t) {
      const k = m.kind[a];
      if (k !== Kind.Unmap && k !== Kind.RcuFree) return true;
      for (let x = 0; x < T; x++) {
        if (m.frameState(s, K + x) !== LIVE || m.frameState(t, K + x) !== FREE) continue;
        for (let c = 0; c < N; c++) if (m.wcHas(s, c, x)) return false;
      }
      return true;
    },
    'no-walk-of-freed-table'(s, a) {
      const k = m.kind[a];
      const c = m.cpuOf[a]!;
      if (k === Kind.WalkPte) {
        const p = m.walkPage(s, c);
        return m.frameState(s, K + m.geometry.regionOf[p]!) === LIVE;
      }
      if (k === Kind.GupStep) {
        const st = m.gupStage(s, c);
        if (st !== GUP_READ_PTE && st !== GUP_RECHECK) return true;
        return m.frameState(s, K + m.geometry.regionOf[m.gupPage(s, c)]!) === LIVE;
      }
      return true;
    },
    'no-stale-icache'(s, a) {
      const k = m.kind[a];
      if (k !== Kind.Exec && k !== Kind.ExecNew) return true;
      const f = m.argOf[a]!;
      const line = m.icLine(s, m.cpuOf[a]!, f);
      return line === 0 || line === m.frameGen(s, f) + 1;
    },
    'tlb-coherent-at-return'(s, a) {
      if (m.kind[a] !== Kind.Unmap || m.nextOp(s)?.kind !== 'return') return true;
      for (let c = 0; c < N; c++) if (m.tlbMask(s, c) !== 0) return false;
      return true;
    },
    'gup-fast-no-freed-ref'(s, a) {
      if (m.kind[a] !== Kind.GupStep) return true;
      const c = m.cpuOf[a]!;
      const st = m.gupStage(s, c);
      const p = m.gupPage(s, c);
      if (st === GUP_GET_REF && m.config.gupRef === 'get_page') return !gone(m.frameState(s, p));
      if (st === GUP_RECHECK) {
        // The speculative reference is kept only if the PTE still maps the page.
        const kept = m.frameState(s, K + m.geometry.regionOf[p]!) === LIVE && m.ptePresent(s, p);
        return !(kept && gone(m.frameState(s, p)));
      }
      return true;
    },
  };

  /** The action kinds each property speaks about: the engine skips the others. */
  const kinds: Record<Exclude<TlbPropertyId, 'no-deadlock'>, readonly Kind[]> = {
    'no-stale-tlb-at-free': [Kind.Unmap, Kind.GupStep],
    'no-access-after-free': [Kind.Read, Kind.Exec, Kind.WalkPte],
    'no-walk-cache-after-table-free': [Kind.Unmap, Kind.RcuFree],
    'no-walk-of-freed-table': [Kind.WalkPte, Kind.GupStep],
    'no-stale-icache': [Kind.Exec, Kind.ExecNew],
    'tlb-coherent-at-return': [Kind.Unmap],
    'gup-fast-no-freed-ref': [Kind.GupStep],
  };

  return TLB_PROPERTIES.filter((p) => p.id !== 'no-deadlock').map((p) => {
    const id = p.id as Exclude<TlbPropertyId, 'no-deadlock'>;
    return {
      id,
      statement: p.statement,
      holdsOnStep: checks[id],
      appliesTo: (a: number) => kinds[id].includes(m.kind[a] as Kind),
    };
  });
}
