/**
 * The `--run` option: which kernel agents run, on which CPUs, over which
 * pages. One readable string that also heads a trace and names a matrix row:
 *
 *   cpu0=munmap:0-1,cpu1=madvise_dontneed:0-1,cpu2=reclaim:1
 *
 * Each item is `cpuN=PATH[:PAGES]`; PAGES is `a-b`, `a` or omitted (every
 * page of the range). Agents run on distinct CPUs; user threads, gup_fast
 * and speculative walkers take the other CPUs as before.
 */

export interface AgentSpec {
  readonly cpu: number;
  readonly path: string;
  /** First and last page, inclusive. */
  readonly lo: number;
  readonly hi: number;
}

export class RunSpecError extends Error {}

const ITEM = /^cpu(\d+)=([a-z_][a-z0-9_]*)(?::(\d+)(?:-(\d+))?)?$/;

export function parseRun(text: string, pages: number): AgentSpec[] {
  const items = text
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
  if (items.length === 0) throw new RunSpecError('--run names no agent (write e.g. cpu0=munmap:0-1,cpu1=madvise_dontneed)');
  const out: AgentSpec[] = [];
  for (const item of items) {
    const m = ITEM.exec(item);
    if (!m) throw new RunSpecError(`--run: '${clip(item)}' is not cpuN=PATH or cpuN=PATH:a-b`);
    const cpu = Number(m[1]);
    const lo = m[3] === undefined ? 0 : Number(m[3]);
    const hi = m[4] !== undefined ? Number(m[4]) : m[3] !== undefined ? lo : pages - 1;
    if (hi < lo) throw new RunSpecError(`--run: '${clip(item)}': the page range ends before it starts`);
    if (hi >= pages) throw new RunSpecError(`--run: '${clip(item)}' names page ${hi}, but --pages is ${pages}`);
    if (out.some((a) => a.cpu === cpu)) throw new RunSpecError(`--run: cpu${cpu} runs two agents; give each agent its own CPU`);
    out.push({ cpu, path: m[2]!, lo, hi });
  }
  return out;
}

export function pagesText(lo: number, hi: number): string {
  return lo === hi ? `${lo}` : `${lo}-${hi}`;
}

/** The canonical text of a run (what --run would need to reproduce it). */
export function formatRun(agents: readonly AgentSpec[]): string {
  return agents.map((a) => `cpu${a.cpu}=${a.path}:${pagesText(a.lo, a.hi)}`).join(',');
}

/** For trace headers and matrix rows: `cpu0 munmap[0-1] ∥ cpu1 madvise_dontneed[0-1]`. */
export function displayRun(agents: readonly AgentSpec[]): string {
  return agents.map((a) => `cpu${a.cpu} ${a.path}[${pagesText(a.lo, a.hi)}]`).join(' ∥ ');
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
