/** The backend registry: adding a backend is one file under its arch (or asm-generic/) plus one line here. */
import type { Backend } from '../backend.ts';
import arm2637 from './arm/tlb-2.6.37.ts';
import arm06824ba8 from './arm/tlb-06824ba8.ts';
import armLpae from './arm/tlb-lpae.ts';
import ia642637 from './ia64/tlb-2.6.37.ts';
import s390Fullmm from './s390/tlb-fullmm.ts';
import sh2637 from './sh/tlb-2.6.37.ts';
import tile2638 from './tile/tlb-2.6.38.ts';
import tile2638Shipped from './tile/tlb-2.6.38-shipped.ts';
import tileFixed from './tile/tlb-fixed.ts';
import x862638 from './x86/tlb-2.6.38.ts';
import x86618 from './x86/tlb-6.18.ts';
import arm64618 from './arm64/tlb-6.18.ts';
import ppcRadix618 from './powerpc/tlb-radix-6.18.ts';
import ppcHash618 from './powerpc/tlb-hash-6.18.ts';
import riscv618 from './riscv/tlb-6.18.ts';
import s390618 from './s390/tlb-6.18.ts';
import sparc64618 from './sparc/tlb-64-6.18.ts';
import endVmaFlush from '../asm-generic/end-vma-flush.ts';
import generic from '../asm-generic/generic.ts';
import generic618 from '../asm-generic/generic-6.18.ts';
import genericItlb from '../asm-generic/generic-itlb.ts';
import genericRange from '../asm-generic/generic-range.ts';
import genericRcu from '../asm-generic/generic-rcu-table-free.ts';

export const BACKENDS: readonly Backend[] = [
  arm2637,
  arm06824ba8,
  armLpae,
  ia642637,
  sh2637,
  generic,
  genericRange,
  genericRcu,
  genericItlb,
  tile2638,
  tile2638Shipped,
  tileFixed,
  x862638,
  s390Fullmm,
  endVmaFlush,
  generic618,
  x86618,
  arm64618,
  ppcRadix618,
  ppcHash618,
  riscv618,
  s390618,
  sparc64618,
];

export function findBackend(id: string): Backend | undefined {
  return BACKENDS.find((b) => b.id === id);
}
