/** What the benchmark runs: the configurations, in table order. */
import type { BenchConfig, ParamMap } from './types.ts';

/** The TLB-machine configuration of the bench, apart from the CPU count (x86-2.6.38 with IPIs holds). */
export const TLB_BENCH_PARAMS: ParamMap = { pages: 2, gup: 1, walker: 'all', allocator: true, backend: 'x86-2.6.38' };

/** `cfg`, then the same configuration with each of `workers` (> 1) parallel workers. */
function withWorkers(cfg: BenchConfig, workers: readonly number[]): BenchConfig[] {
  return [{ ...cfg, workers: 1 }, ...workers.map((w) => ({ ...cfg, workers: w }))];
}

function philosophers(quick: boolean): BenchConfig[] {
  const sizes = quick ? [10, 12, 14] : [10, 12, 14, 16, 18];
  const parallel = quick ? [14] : [14, 16, 18];
  return sizes.flatMap((n) =>
    withWorkers({ model: 'philosophers', label: `N=${n}`, params: { n }, symmetry: false }, parallel.includes(n) ? [2] : []),
  );
}

function tlbMini(quick: boolean): BenchConfig[] {
  const out: BenchConfig[] = [];
  const maxCpu = quick ? 6 : 8;
  const symSizes = quick ? ['4x3', '6x3'] : ['4x3', '6x3', '7x3', '8x3'];
  const parallelSizes = quick ? [] : ['7x3', '8x3'];
  for (let ncpu = 2; ncpu <= maxCpu; ncpu++) {
    for (let npage = 1; npage <= 3; npage++) {
      const params = { ncpu, npage, variant: 'fixed', 'check-free': true };
      const label = `NCPU=${ncpu} NPAGE=${npage}`;
      const size = `${ncpu}x${npage}`;
      out.push(...withWorkers({ model: 'tlb-mini', label, params, symmetry: false }, parallelSizes.includes(size) ? [2] : []));
      if (symSizes.includes(size)) out.push({ model: 'tlb-mini', label: `${label} sym`, params, symmetry: true, workers: 1 });
    }
  }
  return out;
}

/** The TLB machine: cpus 2.. with symmetry off and on; 4 CPUs also with 2 workers (full run only). */
function tlb(quick: boolean): BenchConfig[] {
  const out: BenchConfig[] = [];
  for (let cpus = 2; cpus <= (quick ? 4 : 6); cpus++) {
    const params = { ...TLB_BENCH_PARAMS, cpus };
    const label = `cpus=${cpus}`;
    out.push(...withWorkers({ model: 'tlb', label, params, symmetry: false }, !quick && cpus === 4 ? [2] : []));
    out.push({ model: 'tlb', label: `${label} sym`, params, symmetry: true, workers: 1 });
  }
  return out;
}

export function configs(quick: boolean): BenchConfig[] {
  return [{ model: 'peterson', label: '-', params: {}, symmetry: false, workers: 1 }, ...philosophers(quick), ...tlbMini(quick), ...tlb(quick)];
}
