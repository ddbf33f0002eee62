/**
 * The invariants of the TLB-shootdown model (DOMAIN §5, MODERN's table):
 * stable ids and one-line statements. Their predicates are in ./tlb.ts.
 */
export interface PropertyInfo {
  readonly id: string;
  readonly statement: string;
  /** DOMAIN §5 number (9: MODERN's DI). */
  readonly number: number;
}

export const TLB_PROPERTIES = [
  { number: 1, id: 'no-stale-tlb-at-free', statement: "when a frame is freed, no CPU's TLB maps it" },
  { number: 2, id: 'no-access-after-free', statement: "no access (user or hardware walker) reaches a free or reused frame through this mm's translations" },
  { number: 3, id: 'no-walk-cache-after-table-free', statement: "when a page-table frame is freed, no CPU's walk cache points at it" },
  { number: 4, id: 'no-walk-of-freed-table', statement: "no hardware walk, gup_fast or kernel path reads a table frame that is no longer the mm's page table" },
  { number: 5, id: 'no-stale-icache', statement: "no CPU executes from an i-cache line older than the frame's current contents" },
  {
    number: 6,
    id: 'tlb-coherent-at-return',
    statement: 'when a syscall returns, no CPU holds a translation (mprotect, MADV_FREE: a writable one) of a page it cleared or found cleared',
  },
  { number: 7, id: 'gup-fast-no-freed-ref', statement: 'gup_fast never takes (and keeps) a reference on a frame that was freed (v6: or that is no longer mapped at that address)' },
  { number: 8, id: 'no-deadlock', statement: 'some agent can always move until all have finished' },
  { number: 9, id: 'no-write-during-writeback', statement: 'when reclaim writes a folio back, no CPU holds a writable TLB entry to it (a later write would be lost)' },
  {
    number: 10,
    id: 'no-usable-stale-tlb-at-free',
    statement: "I1': when a frame is freed, no CPU holds a translation of it that it could use without a flush first (with modelled context switches, in place of 1)",
  },
  {
    number: 11,
    id: 'no-usable-walk-cache-after-table-free',
    statement: "I3': when a page-table frame is freed, no CPU can walk through a walk-cache entry pointing at it without a flush first (with modelled context switches, in place of 3)",
  },
  {
    number: 12,
    id: 'no-copy-of-pinned-page',
    statement: 'when khugepaged copies a page into a huge page, no gup_fast reference is held on it (a write through the pin would be lost)',
  },
] as const satisfies readonly PropertyInfo[];

export type TlbPropertyId = (typeof TLB_PROPERTIES)[number]['id'];

export function propertyInfo(id: string): PropertyInfo | undefined {
  return TLB_PROPERTIES.find((p) => p.id === id);
}
