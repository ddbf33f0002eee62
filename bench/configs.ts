/** What the benchmark runs: the configurations, in table order. */
import type { BenchConfig, ParamMap } from './types.ts';

/** The TLB-machine configuration of the bench, apart from the CPU count (x86-2.6.38 with IPIs holds). */
export const TLB_BENCH_PARAMS: ParamMap = { pages: 2, gup: 1, walker: 'all', allocator: true, backend: 'x86-2.6.38' };

/** Reachable states of the TLB bench configuration by CPU count (symmetry off, on): for the time estimate only. */
const TLB_STATES: Record<number, readonly [number, number]> = {
  2: [3909, 3909],
  3: [33639, 33639],
  4: [296859, 165249],
  5: [2633091, 598491],
  6: [23417715, 1778481],
};

/** `cfg`, then the same configuration with each of `workers` (> 1) parallel workers. */
function withWorkers(cfg: BenchConfig, workers: readonly number[]): BenchConfig[] {
  return [{ ...cfg, workers: 1 }, ...workers.map((w) => ({ ...cfg, workers: w }))];
}

function philosophers(quick: boolean): BenchConfig[] {
  const sizes = quick ? [10, 12, 14] : [10, 12, 14, 16, 18];
  const parallel = quick ? [14] : [14, 16, 18];
  return sizes.flatMap((n) =>
    withWorkers(
      { model: 'philosophers', label: `N=${n}`, params: { n }, symmetry: false, approxStates: Math.round((1 + Math.SQRT2) ** n) },
      parallel.includes(n) ? [2] : [],
    ),
  );
}

function tlbMini(quick: boolean): BenchConfig[] {
  const out: BenchConfig[] = [];
  const maxCpu = quick ? 6 : 8;
  const symSizes = quick ? ['4x3', '6x3'] : ['4x3', '6x3', '7x3', '8x3'];
  const parallelSizes = quick ? ['6x3'] : ['7x3', '8x3'];
  for (let ncpu = 2; ncpu <= maxCpu; ncpu++) {
    for (let npage = 1; npage <= 3; npage++) {
      const params = { ncpu, npage, variant: 'fixed', 'check-free': true };
      const label = `NCPU=${ncpu} NPAGE=${npage}`;
      const size = `${ncpu}x${npage}`;
      const approxStates = (npage + 1) * 2 ** ((ncpu - 1) * npage);
      out.push(...withWorkers({ model: 'tlb-mini', label, params, symmetry: false, approxStates }, parallelSizes.includes(size) ? [2] : []));
      if (symSizes.includes(size)) out.push({ model: 'tlb-mini', label: `${label} sym`, params, symmetry: true, workers: 1, approxStates: approxStates / 8 });
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
    const [plain, sym] = TLB_STATES[cpus]!;
    out.push(...withWorkers({ model: 'tlb', label, params, symmetry: false, approxStates: plain }, !quick && cpus === 4 ? [2] : []));
    out.push({ model: 'tlb', label: `${label} sym`, params, symmetry: true, workers: 1, approxStates: sym });
  }
  return out;
}

export function configs(quick: boolean): BenchConfig[] {
  return [
    { model: 'peterson', label: '-', params: {}, symmetry: false, workers: 1, approxStates: 20 },
    ...philosophers(quick),
    ...tlbMini(quick),
    ...tlb(quick),
  ];
}

/**
 * Rough seconds of one round of `cfg` on the reference machine (2 cores, no
 * other load): start-up plus states at each tool's typical rate. Only for
 * the estimate the bench prints before it starts.
 */
export function estimateSeconds(cfg: BenchConfig, peers: { spinModes: number; rumur: boolean }, timeout: number): number {
  const n = cfg.approxStates;
  const cap = (s: number): number => Math.min(s, timeout);
  const tlb = cfg.model === 'tlb' ? 250_000 : 400_000;
  let s = 0.8 + cap(n / (tlb * ((cfg.workers ?? 1) > 1 ? 1.6 : 1)));
  // Beside a parallel row, copies of the 1-worker search side by side (its ceiling), each at about 0.65 of its speed alone.
  if ((cfg.workers ?? 1) > 1 && process.env['BENCH_CEILING'] !== '0') s += 0.8 + cap(n / (tlb * 0.65));
  if ((cfg.workers ?? 1) === 1 && cfg.model !== 'tlb') {
    if (!cfg.symmetry) s += peers.spinModes * (1.5 + cap(n / 150_000));
    if (peers.rumur) s += 2 + cap(cfg.symmetry ? n / 3_000 : n / 90_000);
  }
  return s;
}
