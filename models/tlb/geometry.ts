/**
 * The static shape of the address space a configuration checks: virtual
 * pages, the page tables (regions) that map them, the PTE slots inside
 * those tables, the frames, and the VMAs. Everything here is fixed when the
 * model is built, the way the kernel's layout is fixed while one of its
 * paths runs.
 *
 * Page p of the range always maps data frame p. mremap adds a destination
 * range: virtual page K+p, in region T+r, where page p lands. When mremap
 * moves PTEs one by one (move_ptes) the destination has page tables of its
 * own (table frames T..2T-1, PTE slots K..2K-1); when it moves whole tables
 * (move_normal_pmd) the destination pmd entries point at the original table
 * frames, so page K+p uses page p's slot. A TLB entry for virtual page v
 * therefore always names frame v mod K, and a walk-cache entry for region r
 * always names table frame tableOf[r]: one bit each describes them.
 */
import type { Vma } from './types.ts';

/** Entries in a page table (x86-64, arm64 with 4K pages, riscv sv39/48, ...): a table maps 512 pages. */
export const PTRS_PER_PTE = 512;

export type MremapMode = 'none' | 'ptes' | 'pmd';

export interface Geometry {
  /** K: pages of the original range, and data frames. */
  readonly pages: number;
  /** T: page tables of the original range. */
  readonly tables: number;
  /** V: virtual pages (K, or 2K with an mremap destination). */
  readonly vpages: number;
  /** R: regions (upper-level entries), T or 2T. */
  readonly regions: number;
  /** S: PTE slots (K, or 2K when the destination has tables of its own). */
  readonly slots: number;
  /** TF: page-table frames (T, or 2T). Table frame t is frame K+t. */
  readonly tableFrames: number;
  readonly mremap: MremapMode;
  /** VMAs: the original ones, then mremap's copies. */
  readonly vmas: readonly Vma[];
  /** Per virtual page: its region, its PTE slot. */
  readonly regionOf: readonly number[];
  readonly slotOf: readonly number[];
  /** Per region: the table frame its pmd entry points at (when present). */
  readonly tableOf: readonly number[];
  /** Per region: first and one-past-last virtual page. */
  readonly regionStart: readonly number[];
  readonly regionEnd: readonly number[];
  /** Per PTE slot: the page table frame holding it. */
  readonly slotTable: readonly number[];
  /** mm->mm_users while the paths run (threads sharing the mm; 0 in exit_mmap). */
  readonly mmUsers: number;
  /** CPUs online (asm-generic's 2011 gather runs in "fast mode" on one). */
  readonly cpus: number;
}

export interface GeometryInput {
  readonly pages: number;
  readonly vmas: number;
  readonly tables: number;
  readonly execMask: number;
  readonly mremap: MremapMode;
  readonly mmUsers: number;
  readonly cpus: number;
}

/** Pages split evenly into VMAs and into page-table regions; mremap's destination mirrors them. */
export function buildGeometry(c: GeometryInput): Geometry {
  const K = c.pages;
  const T = c.tables;
  const vmas: Vma[] = [];
  for (let v = 0; v < c.vmas; v++) {
    vmas.push({
      index: v,
      start: Math.floor((v * K) / c.vmas),
      end: Math.floor(((v + 1) * K) / c.vmas),
      exec: ((c.execMask >> v) & 1) === 1,
      copyOf: -1,
    });
  }
  const regionOf: number[] = [];
  for (let p = 0; p < K; p++) regionOf.push(Math.floor((p * T) / K));
  const slotOf: number[] = Array.from({ length: K }, (_, p) => p);
  const tableOf: number[] = Array.from({ length: T }, (_, t) => t);
  const moved = c.mremap !== 'none';
  if (moved) {
    for (let v = 0; v < c.vmas; v++) {
      const o = vmas[v]!;
      vmas.push({ index: c.vmas + v, start: K + o.start, end: K + o.end, exec: o.exec, copyOf: v });
    }
    for (let p = 0; p < K; p++) {
      regionOf.push(T + regionOf[p]!);
      slotOf.push(c.mremap === 'ptes' ? K + p : p);
    }
    for (let t = 0; t < T; t++) tableOf.push(c.mremap === 'ptes' ? T + t : t);
  }
  const V = moved ? 2 * K : K;
  const R = moved ? 2 * T : T;
  const regionStart: number[] = [];
  const regionEnd: number[] = [];
  for (let r = 0; r < R; r++) {
    regionStart.push(regionOf.indexOf(r));
    regionEnd.push(regionOf.lastIndexOf(r) + 1);
  }
  const S = c.mremap === 'ptes' ? 2 * K : K;
  const TF = c.mremap === 'ptes' ? 2 * T : T;
  const slotTable: number[] = [];
  for (let s = 0; s < S; s++) slotTable.push(s < K ? regionOf[s]! : T + regionOf[s - K]!);
  return {
    pages: K,
    tables: T,
    vpages: V,
    regions: R,
    slots: S,
    tableFrames: TF,
    mremap: c.mremap,
    vmas,
    regionOf,
    slotOf,
    tableOf,
    regionStart,
    regionEnd,
    slotTable,
    mmUsers: c.mmUsers,
    cpus: c.cpus,
  };
}

/** The VMA containing virtual page v, or undefined. */
export function vmaOf(g: Geometry, v: number): Vma | undefined {
  return g.vmas.find((x) => v >= x.start && v < x.end);
}
