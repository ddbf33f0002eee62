/** The backend registry: adding a backend is one file in this folder plus one line here. */
import type { Backend } from '../backend.ts';
import arm2637 from './arm-2.6.37.ts';
import arm06824ba8 from './arm-06824ba8.ts';
import armLpae from './arm-lpae.ts';
import endVmaFlush from './end-vma-flush.ts';
import generic from './generic.ts';
import genericItlb from './generic-itlb.ts';
import genericRange from './generic-range.ts';
import genericRcu from './generic-rcu-table-free.ts';
import ia642637 from './ia64-2.6.37.ts';
import s390Fullmm from './s390-fullmm.ts';
import sh2637 from './sh-2.6.37.ts';
import tile2638 from './tile-2.6.38.ts';
import tile2638Shipped from './tile-2.6.38-shipped.ts';
import tileFixed from './tile-fixed.ts';
import x862638 from './x86-2.6.38.ts';

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
];

export function findBackend(id: string): Backend | undefined {
  return BACKENDS.find((b) => b.id === id);
}
