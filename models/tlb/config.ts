/**
 * A TLB-model configuration: the backend and path, sizes, which agents run,
 * and the hardware traits (each defaulting to the backend's own). Resolving
 * checks that the combination can happen in a kernel at all.
 */
import type { ParamSpec, ParamValues } from '../../src/engine/model.ts';
import type { Backend } from './backend.ts';
import { BACKENDS, findBackend } from './backends/index.ts';
import type { Geometry } from './gather.ts';
import { PATHS } from './paths.ts';
import type { GupRef, Hardware, PathId, Vma } from './types.ts';

export const MAX_CPUS = 8;
export const MAX_PAGES = 4;

/** Where speculative hardware walks run (accessor CPUs always do demand walks). */
export type WalkerPlacement = 'off' | 'unmapper' | 'others' | 'all';

/**
 * Which hardware walks in flight a flush reaching a CPU ends:
 * - barrier: all of them (the invalidate and its barrier complete or abandon outstanding walks);
 * - region: those holding a pmd of a region the flush covers (like a walk-cache entry);
 * - address: only walks of an address the flush covers.
 */
export type WalkFlush = 'barrier' | 'region' | 'address';

export interface TlbConfig {
  readonly backend: Backend;
  readonly path: PathId;
  readonly cpus: number;
  readonly pages: number;
  readonly vmas: number;
  readonly tables: number;
  /** Bit v set: VMA v has VM_EXEC. */
  readonly execMask: number;
  readonly accessors: number;
  readonly gup: number;
  readonly walker: WalkerPlacement;
  readonly walkFlush: WalkFlush;
  readonly allocator: boolean;
  readonly hw: Hardware;
  readonly gupRef: GupRef;
  readonly flusher: boolean;
  readonly flusherIrqsOff: boolean;
  readonly unmapperIrqsOff: boolean;
}

export class ConfigError extends Error {}

const AUTO = 'auto';

export const TLB_PARAMS: readonly ParamSpec[] = [
  { name: 'backend', description: 'architecture backend (see `tlbcheck list`)', kind: 'enum', default: 'arm-06824ba8', values: BACKENDS.map((b) => b.id) },
  { name: 'path', description: 'kernel path the unmapper runs', kind: 'enum', default: 'unmap_region', values: PATHS.map((p) => p.id) },
  { name: 'cpus', description: 'CPUs; CPU 0 runs the unmapper', kind: 'int', default: 2, min: 1, max: MAX_CPUS },
  { name: 'pages', description: 'virtual pages in the unmapped range (page p maps frame p)', kind: 'int', default: 1, min: 1, max: MAX_PAGES },
  { name: 'vmas', description: 'VMAs splitting the pages', kind: 'int', default: 1, min: 1, max: MAX_PAGES },
  { name: 'tables', description: 'page-table pages (pmd entries) splitting the pages', kind: 'int', default: 1, min: 1, max: MAX_PAGES },
  { name: 'exec-mask', description: 'bit v set: VMA v has VM_EXEC', kind: 'int', default: 1, min: 0, max: 2 ** MAX_PAGES - 1 },
  { name: 'accessors', description: `user CPUs accessing the pages (${AUTO}: every user CPU where the path has other users, else 0)`, kind: 'int', default: AUTO, auto: true, min: 0, max: MAX_CPUS - 1 },
  { name: 'gup', description: 'user CPUs also running gup_fast', kind: 'int', default: 0, min: 0, max: MAX_CPUS - 1 },
  {
    name: 'walker',
    description: `speculative hardware walks: off, on the unmapper's CPU, on the others, or all (${AUTO}: all where the backend's MMU walks speculatively, else off)`,
    kind: 'enum',
    default: AUTO,
    values: [AUTO, 'off', 'unmapper', 'others', 'all'],
  },
  {
    name: 'walk-flush',
    description: 'walks in flight a flush ends: all (barrier), those under the regions it covers (region), or those of the addresses it covers (address)',
    kind: 'enum',
    default: 'barrier',
    values: ['barrier', 'region', 'address'],
  },
  { name: 'allocator', description: 'the allocator reuses freed frames (and, with an incoherent i-cache, runs new code in them)', kind: 'bool', default: true },
  { name: 'tlb', description: `TLB maintenance delivery (${AUTO}: the backend's)`, kind: 'enum', default: AUTO, values: [AUTO, 'ipi', 'broadcast'] },
  { name: 'walk-cache', description: `upper-level (pmd) walk cache (${AUTO}: the backend's)`, kind: 'enum', default: AUTO, values: [AUTO, 'on', 'off'] },
  { name: 'icache', description: `i-cache coherence (${AUTO}: the backend's)`, kind: 'enum', default: AUTO, values: [AUTO, 'coherent', 'incoherent'] },
  { name: 'gup-ref', description: `how gup_fast takes its reference (${AUTO}: the backend's)`, kind: 'enum', default: AUTO, values: [AUTO, 'get_page', 'speculative'] },
  { name: 'flusher', description: 'a second CPU (the last) that sends flush_tlb_mm IPIs of its own', kind: 'bool', default: false },
  { name: 'flusher-irqs-off', description: 'the flusher waits for its acks with interrupts disabled', kind: 'bool', default: false },
  { name: 'unmapper-irqs-off', description: 'the unmapper runs its path with interrupts disabled (a bug: it cannot answer IPIs)', kind: 'bool', default: false },
];

/** Params to a checked configuration, or a one-line reason why it cannot exist. */
export function resolveConfig(p: ParamValues): TlbConfig {
  const backend = findBackend(String(p['backend']));
  if (!backend) throw new ConfigError(`unknown backend '${String(p['backend'])}' (known: ${BACKENDS.map((b) => b.id).join(', ')})`);
  const path = String(p['path']) as PathId;
  const pathInfo = PATHS.find((x) => x.id === path);
  if (!pathInfo) throw new ConfigError(`unknown path '${path}' (known: ${PATHS.map((x) => x.id).join(', ')})`);
  const cpus = p['cpus'] as number;
  const pages = p['pages'] as number;
  const vmas = p['vmas'] as number;
  const tables = p['tables'] as number;
  const flusher = p['flusher'] as boolean;
  if (vmas > pages) throw new ConfigError(`--vmas ${vmas} exceeds --pages ${pages}: every VMA needs at least one page`);
  if (tables > pages) throw new ConfigError(`--tables ${tables} exceeds --pages ${pages}: every page table maps at least one page`);
  const execMask = p['exec-mask'] as number;
  if (execMask >= 2 ** vmas) throw new ConfigError(`--exec-mask ${execMask} names a VMA beyond --vmas ${vmas}`);
  const userCpus = cpus - 1 - (flusher ? 1 : 0);
  if (flusher && cpus < 2) throw new ConfigError('--flusher needs --cpus 2 or more (it runs on the last CPU)');
  const accessors = p['accessors'] === AUTO ? (pathInfo.otherUsers ? userCpus : 0) : (p['accessors'] as number);
  const gup = p['gup'] as number;
  if (accessors > userCpus) throw new ConfigError(`--accessors ${accessors} needs ${accessors + 1 + (flusher ? 1 : 0)} CPUs, but --cpus is ${cpus}`);
  if (gup > userCpus) throw new ConfigError(`--gup ${gup} needs ${gup + 1 + (flusher ? 1 : 0)} CPUs, but --cpus is ${cpus}`);
  if (!pathInfo.otherUsers && (accessors > 0 || gup > 0)) {
    throw new ConfigError(`${path} runs with no other user of the mm: --accessors and --gup must be 0`);
  }
  const tlb = p['tlb'] === AUTO ? backend.hardware.tlb : (p['tlb'] as Hardware['tlb']);
  const walkCache = p['walk-cache'] === AUTO ? backend.hardware.walkCache : p['walk-cache'] === 'on';
  const icache = p['icache'] === AUTO ? backend.hardware.icache : (p['icache'] as Hardware['icache']);
  const gupRef = p['gup-ref'] === AUTO ? backend.gupRef : (p['gup-ref'] as GupRef);
  if ((p['flusher-irqs-off'] as boolean) && !flusher) throw new ConfigError('--flusher-irqs-off needs --flusher');
  return {
    backend,
    path,
    cpus,
    pages,
    vmas,
    tables,
    execMask,
    accessors,
    gup,
    walker: p['walker'] === AUTO ? (backend.hardware.speculativeWalks ? 'all' : 'off') : (p['walker'] as WalkerPlacement),
    walkFlush: p['walk-flush'] as WalkFlush,
    allocator: p['allocator'] as boolean,
    hw: { tlb, walkCache, icache, speculativeWalks: backend.hardware.speculativeWalks },
    gupRef,
    flusher,
    flusherIrqsOff: p['flusher-irqs-off'] as boolean,
    unmapperIrqsOff: p['unmapper-irqs-off'] as boolean,
  };
}

/** Pages split evenly into VMAs and into page-table regions. */
export function geometryOf(c: TlbConfig): Geometry {
  const vmas: Vma[] = [];
  for (let v = 0; v < c.vmas; v++) {
    vmas.push({ index: v, start: Math.floor((v * c.pages) / c.vmas), end: Math.floor(((v + 1) * c.pages) / c.vmas), exec: ((c.execMask >> v) & 1) === 1 });
  }
  const regionOf: number[] = [];
  for (let p = 0; p < c.pages; p++) regionOf.push(Math.floor((p * c.tables) / c.pages));
  const regionStart: number[] = [];
  const regionEnd: number[] = [];
  for (let t = 0; t < c.tables; t++) {
    regionStart.push(regionOf.indexOf(t));
    regionEnd.push(regionOf.lastIndexOf(t) + 1);
  }
  const threads = new Set<number>();
  const users = userCpus(c);
  users.slice(0, c.accessors).forEach((x) => threads.add(x));
  users.slice(users.length - c.gup).forEach((x) => threads.add(x));
  const mmUsers = c.path === 'exit_mmap' ? 0 : 1 + threads.size;
  return { pages: c.pages, tables: c.tables, vmas, regionOf, regionStart, regionEnd, mmUsers, cpus: c.cpus };
}

/** CPUs that run user threads of the mm (not the unmapper's, not the flusher's). */
export function userCpus(c: TlbConfig): number[] {
  const out: number[] = [];
  for (let x = 1; x < c.cpus - (c.flusher ? 1 : 0); x++) out.push(x);
  return out;
}
