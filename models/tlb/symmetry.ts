/**
 * Symmetry of the TLB machine: CPUs that play the same role are
 * interchangeable. User CPUs with the same roles (accessor, gup_fast,
 * walker) keep everything in their own record, so sorting their records
 * gives a canonical representative. Kernel agents that run the same program
 * (same path over the same pages) on CPUs of the same role are
 * interchangeable too, but an agent's index appears in every CPU's IPI
 * inbox: swapping two of them swaps their records, their CPUs' records and
 * those inbox bits, and the canonical form is the least of the permuted,
 * sorted states. Used for hashing only (traces keep the real CPU numbers).
 */
import type { State, SymmetrySpec } from '../../src/engine/model.ts';
import { get, set } from '../../src/engine/layout.ts';
import type { TlbMachine } from './machine.ts';

function permutations(xs: readonly number[]): number[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** Agent index classes: agents with the same program on CPUs of the same role (size > 1). */
export function kernelClasses(m: TlbMachine): number[][] {
  const by = new Map<string, number[]>();
  for (const a of m.kagents) {
    if (a.path === 'flusher') continue;
    const r = m.roles[a.cpu]!;
    const key = `${a.path}/${a.lo}-${a.hi}/${r.walks}`;
    const l = by.get(key) ?? [];
    l.push(a.index);
    by.set(key, l);
  }
  return [...by.values()].filter((l) => l.length > 1);
}

/**
 * How the model declares its symmetry. Without interchangeable kernel agents
 * the user-CPU classes are whole self-contained CPU records, so they are
 * declared as Model.symmetry classes and hashed order-independently (no sort,
 * no copy: the cost stays one pass as CPUs are added). With them, the inbox
 * bits name agents by index, which records cannot express: canonicalize.
 */
export function tlbSymmetry(m: TlbMachine, userClasses: readonly number[][]): { symmetry?: SymmetrySpec; canonicalize?: (s: State, out: State) => void } {
  if (kernelClasses(m).length === 0) {
    if (userClasses.length === 0) return {};
    return { symmetry: { classes: userClasses.map((cls) => ({ bases: cls.map((c) => m.cpuBase[c]!), words: m.cpuWords })) } };
  }
  const canonicalize = makeCanonicalize(m, userClasses);
  return canonicalize ? { canonicalize } : {};
}

export function makeCanonicalize(m: TlbMachine, userClasses: readonly number[][]): ((s: State, out: State) => void) | undefined {
  const kclasses = kernelClasses(m);
  if (userClasses.length === 0 && kclasses.length === 0) return undefined;
  const W = m.words;
  const CW = m.cpuWords;
  const base = m.cpuBase;
  const scratch = new Uint32Array(8 * CW);

  const sortUsers = (s: State, out: State): void => {
    for (let i = 0; i < W; i++) out[i] = s[i]!;
    for (const cls of userClasses) {
      // Insertion sort of whole CPU records (word runs compared lexicographically): classes hold a handful of CPUs.
      const n = cls.length;
      for (let i = 0; i < n; i++) {
        const b = base[cls[i]!]!;
        let j = i;
        while (j > 0 && greater(scratch, (j - 1) * CW, s, b, CW)) {
          for (let w = 0; w < CW; w++) scratch[j * CW + w] = scratch[(j - 1) * CW + w]!;
          j--;
        }
        for (let w = 0; w < CW; w++) scratch[j * CW + w] = s[b + w]!;
      }
      for (let i = 0; i < n; i++) {
        const b = base[cls[i]!]!;
        for (let w = 0; w < CW; w++) out[b + w] = scratch[i * CW + w]!;
      }
    }
  };
  if (kclasses.length === 0) return sortUsers;

  // Every combination of one permutation per class, except the identity (tried first anyway).
  let combos: number[][] = [m.kagents.map((a) => a.index)];
  for (const cls of kclasses) {
    const next: number[][] = [];
    for (const c of combos) {
      for (const p of permutations(cls)) {
        const q = [...c];
        cls.forEach((from, i) => (q[from] = p[i]!));
        next.push(q);
      }
    }
    combos = next;
  }
  const perms = combos.filter((q) => q.some((v, i) => v !== i));
  const permuted = new Uint32Array(W);
  const candidate = new Uint32Array(W);
  const inboxes = m.inboxF;

  /** Agent i's record and CPU go where agent perm[i]'s were; inbox bit i becomes bit perm[i]. */
  const apply = (s: State, perm: readonly number[], out: State): void => {
    for (let i = 0; i < W; i++) out[i] = s[i]!;
    for (const a of m.kagents) {
      const j = perm[a.index]!;
      if (j === a.index) continue;
      const b = m.kagents[j]!;
      for (let w = 0; w < a.words; w++) out[b.base + w] = s[a.base + w]!;
      for (let w = 0; w < CW; w++) out[base[b.cpu]! + w] = s[base[a.cpu]! + w]!;
    }
    for (let c = 0; c < m.N; c++) {
      const f = inboxes[c];
      if (!f) continue;
      const v = get(out, f);
      let nv = 0;
      for (let i = 0; i < perm.length; i++) if ((v >>> i) & 1) nv |= 1 << perm[i]!;
      set(out, f, nv);
    }
  };

  return (s: State, out: State): void => {
    sortUsers(s, out);
    for (const p of perms) {
      apply(s, p, permuted);
      sortUsers(permuted, candidate);
      if (less(candidate, out, W)) for (let i = 0; i < W; i++) out[i] = candidate[i]!;
    }
  };
}

/** Whether the record at a[ai..] is greater than the one at b[bi..] (n words, most significant first). */
function greater(a: Uint32Array, ai: number, b: Uint32Array, bi: number, n: number): boolean {
  for (let w = 0; w < n; w++) {
    const x = a[ai + w]!;
    const y = b[bi + w]!;
    if (x !== y) return x > y;
  }
  return false;
}

function less(a: Uint32Array, b: Uint32Array, n: number): boolean {
  for (let w = 0; w < n; w++) if (a[w] !== b[w]) return a[w]! < b[w]!;
  return false;
}
