/**
 * A TLB-model configuration: the backend, the kernel agents (--run, or the
 * one --path), sizes, which other agents run, the hardware traits (each
 * defaulting to the backend's own) and the mechanisms switched off.
 * Resolving checks that the combination can happen in a kernel at all.
 */
import type { ParamSpec, ParamValues } from '../../src/engine/model.ts';
import type { Backend } from './backend.ts';
import { BACKENDS, findBackend } from './arch/index.ts';
import type { MremapMode } from './geometry.ts';
import { findMechanism, MECHANISMS } from './mm/mechanisms.ts';
import { findPath, PATHS } from './paths.ts';
import { formatRun, parseRun, RunSpecError, type AgentSpec } from './run-spec.ts';
import type { GupRef, Hardware, Kconfig } from './types.ts';

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
  /** The kernel agents, each on its own CPU. */
  readonly agents: readonly AgentSpec[];
  /** The --path of a single-agent configuration (for labels), or the first agent's path. */
  readonly path: string;
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
  /** mremap's destination: none, moved PTE by PTE, or whole tables. */
  readonly mremap: MremapMode;
  /** mm->mm_users while the paths run. */
  readonly mmUsers: number;
  /** Page-batch capacity in pages (Infinity: never full). */
  readonly batch: number;
  /** Mechanisms switched off (--without). */
  readonly without: ReadonlySet<string>;
  /** User CPUs (the last accessors) whose thread may be switched out: to a kernel thread (lazy TLB) or another mm, and back. */
  readonly switching: number;
  /** Real pages each modelled page stands for, for the cost columns and the arches' range limits (0: a page table spans PTRS_PER_PTE = 512 pages). */
  readonly span: number;
}

export class ConfigError extends Error {}

const AUTO = 'auto';

export const TLB_PARAMS: readonly ParamSpec[] = [
  { name: 'backend', description: 'architecture backend (see `tlbcheck list`)', kind: 'enum', default: 'arm-06824ba8', values: BACKENDS.map((b) => b.id) },
  {
    name: 'path',
    description: `kernel path cpu0 runs (${AUTO}: unmap_region on a 2011 backend, munmap on a v6 one; ignored with --run)`,
    kind: 'enum',
    default: AUTO,
    values: [AUTO, ...PATHS.filter((p) => p.listed).map((p) => p.id)],
  },
  {
    name: 'run',
    description: 'kernel agents: cpuN=PATH[:a-b],... (e.g. cpu0=munmap:0-1,cpu1=madvise_dontneed:0-1); empty: cpu0 runs --path over every page',
    kind: 'string',
    default: '',
    valueName: 'agents',
  },
  { name: 'cpus', description: 'CPUs', kind: 'int', default: 2, min: 1, max: MAX_CPUS },
  { name: 'pages', description: 'virtual pages in the range (page p maps frame p)', kind: 'int', default: 1, min: 1, max: MAX_PAGES },
  { name: 'vmas', description: 'VMAs splitting the pages', kind: 'int', default: 1, min: 1, max: MAX_PAGES },
  { name: 'tables', description: 'page-table pages (pmd entries) splitting the pages', kind: 'int', default: 1, min: 1, max: MAX_PAGES },
  { name: 'exec-mask', description: 'bit v set: VMA v has VM_EXEC', kind: 'int', default: 1, min: 0, max: 2 ** MAX_PAGES - 1 },
  { name: 'accessors', description: `user CPUs accessing the pages (${AUTO}: every user CPU where the paths have other users, else 0)`, kind: 'int', default: AUTO, auto: true, min: 0, max: MAX_CPUS - 1 },
  { name: 'gup', description: 'user CPUs also running gup_fast', kind: 'int', default: 0, min: 0, max: MAX_CPUS - 1 },
  {
    name: 'walker',
    description: `speculative hardware walks: off, on the kernel agents' CPUs (unmapper), on the others, or all (${AUTO}: all where the backend's MMU walks speculatively, else off)`,
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
  { name: 'unmapper-irqs-off', description: 'the kernel agents run their paths with interrupts disabled (a bug: they cannot answer IPIs)', kind: 'bool', default: false },
  { name: 'batch', description: `page-batch capacity: a full batch forces a flush (${AUTO}: never full)`, kind: 'int', default: AUTO, auto: true, min: 1, max: 8 },
  { name: 'mm-users', description: `mm->mm_users, which some kernel branches read (${AUTO}: the threads this configuration runs)`, kind: 'int', default: AUTO, auto: true, min: 0, max: 16 },
  {
    name: 'kconfig',
    description: 'override Kconfig choices of a v6 backend, comma-separated NAME=y|n (e.g. MMU_GATHER_MERGE_VMAS=y; see `tlbcheck list`)',
    kind: 'string',
    default: '',
    valueName: 'opts',
  },
  { name: 'without', description: 'mechanisms switched off, comma-separated (see `tlbcheck list`)', kind: 'string', default: '', valueName: 'mechs' },
  {
    name: 'switch',
    description: 'user CPUs (the last accessors) whose thread the scheduler may switch out, to a kernel thread (lazy TLB) or another mm, and back (v6 backends)',
    kind: 'int',
    default: 0,
    min: 0,
    max: MAX_CPUS - 1,
  },
  {
    name: 'span',
    description: `real pages each modelled page stands for, in costs and range limits (${AUTO}: a page table spans 512 pages)`,
    kind: 'int',
    default: AUTO,
    auto: true,
    min: 1,
    max: 512,
  },
];

/** Params to a checked configuration, or a one-line reason why it cannot exist. */
export function resolveConfig(p: ParamValues): TlbConfig {
  const backend = findBackend(String(p['backend']));
  if (!backend) throw new ConfigError(`unknown backend '${String(p['backend'])}' (known: ${BACKENDS.map((b) => b.id).join(', ')})`);
  const cpus = p['cpus'] as number;
  const pages = p['pages'] as number;
  const vmas = p['vmas'] as number;
  const tables = p['tables'] as number;
  const flusher = p['flusher'] as boolean;
  if (vmas > pages) throw new ConfigError(`--vmas ${vmas} exceeds --pages ${pages}: every VMA needs at least one page`);
  if (tables > pages) throw new ConfigError(`--tables ${tables} exceeds --pages ${pages}: every page table maps at least one page`);
  const execMask = p['exec-mask'] as number;
  if (execMask >= 2 ** vmas) throw new ConfigError(`--exec-mask ${execMask} names a VMA beyond --vmas ${vmas}`);

  // The kernel agents.
  const runText = String(p['run'] ?? '');
  let agents: AgentSpec[];
  const pathParam = String(p['path']);
  if (runText.trim() !== '') {
    if (pathParam !== AUTO) throw new ConfigError('give --path or --run, not both');
    try {
      agents = parseRun(runText, pages);
    } catch (e) {
      if (e instanceof RunSpecError) throw new ConfigError(e.message);
      throw e;
    }
  } else {
    const path = pathParam === AUTO ? (backend.kernel === '2011' ? 'unmap_region' : 'munmap') : pathParam;
    agents = [{ cpu: 0, path, lo: 0, hi: pages - 1 }];
  }
  for (const a of agents) {
    const info = findPath(a.path);
    if (!info || !info.listed) throw new ConfigError(`unknown path '${a.path}' (known: ${PATHS.filter((x) => x.listed).map((x) => x.id).join(', ')})`);
    if (!info.kernels.includes(backend.kernel)) {
      throw new ConfigError(`${a.path} is not a path of ${backend.id}'s kernel (${backend.kernel === '2011' ? 'the 2011 thread' : 'v6.x'}); ${backend.kernel === '2011' ? 'use a v6 backend such as generic-6.18' : 'use a 2011 backend'}`);
    }
    if (a.cpu >= cpus) throw new ConfigError(`--run puts ${a.path} on cpu${a.cpu}, but --cpus is ${cpus}`);
  }
  if (backend.kernel === '2011' && agents.length > 1) {
    throw new ConfigError('the 2011 paths ran alone, under the mmap_lock held for write: give one agent, or use a v6 backend');
  }
  const khugepaged = agents.find((a) => findPath(a.path)!.khugepaged);
  if (khugepaged && agents.length > 1) {
    throw new ConfigError(`${khugepaged.path} runs as the only kernel agent (beside gup_fast, user threads and walkers): the other paths do not model huge pmds`);
  }
  const mremaps = agents.filter((a) => a.path === 'mremap');
  if (mremaps.length > 1) throw new ConfigError('one mremap agent at most (it has one destination range)');
  let mremap: MremapMode = 'none';
  if (mremaps.length === 1) {
    const a = mremaps[0]!;
    // move_page_tables moves a whole table (move_normal_pmd) when the range covers it, else PTE by PTE.
    const region = (pg: number): number => Math.floor((pg * tables) / pages);
    const wholeTables = (a.lo === 0 || region(a.lo - 1) !== region(a.lo)) && (a.hi === pages - 1 || region(a.hi + 1) !== region(a.hi));
    mremap = wholeTables && (backend.kernel !== 'v6' || backend.kconfig.HAVE_MOVE_PMD) ? 'pmd' : 'ptes';
    if (2 * pages > MAX_PAGES * 2) throw new ConfigError('mremap doubles the address space: --pages 4 at most');
  }
  const kernelCpus = new Set(agents.map((a) => a.cpu));
  if (flusher && cpus < 2) throw new ConfigError('--flusher needs --cpus 2 or more (it runs on the last CPU)');
  if (flusher && kernelCpus.has(cpus - 1)) throw new ConfigError(`--flusher runs on the last CPU (cpu${cpus - 1}), which a kernel path already uses${p['run'] ? ' (--run)' : ''}${cpus < MAX_CPUS ? `: give --cpus ${cpus + 1}` : ''}`);
  const userCpus = cpus - kernelCpus.size - (flusher ? 1 : 0);
  const paths = agents.map((a) => findPath(a.path)!);
  const otherUsers = paths.every((x) => x.otherUsers);
  const accessors = p['accessors'] === AUTO ? (otherUsers ? userCpus : 0) : (p['accessors'] as number);
  const gup = p['gup'] as number;
  const need = (n: number): number => n + kernelCpus.size + (flusher ? 1 : 0);
  if (accessors > userCpus) throw new ConfigError(`--accessors ${accessors} needs ${need(accessors)} CPUs, but --cpus is ${cpus}`);
  if (gup > userCpus) throw new ConfigError(`--gup ${gup} needs ${need(gup)} CPUs, but --cpus is ${cpus}`);
  if (!otherUsers && (accessors > 0 || gup > 0)) {
    throw new ConfigError(`${paths.find((x) => !x.otherUsers)!.id} runs with no other user of the mm: --accessors and --gup must be 0`);
  }
  if (gup > 0 && backend.kernel === 'v6' && !backend.kconfig.HAVE_GUP_FAST) throw new ConfigError(`--gup: ${backend.id} has no gup_fast (HAVE_GUP_FAST is not set)`);
  const tlb = p['tlb'] === AUTO ? backend.hardware.tlb : (p['tlb'] as Hardware['tlb']);
  const walkCache = p['walk-cache'] === AUTO ? backend.hardware.walkCache : p['walk-cache'] === 'on';
  const icache = p['icache'] === AUTO ? backend.hardware.icache : (p['icache'] as Hardware['icache']);
  const gupRef = p['gup-ref'] === AUTO ? backend.gupRef : (p['gup-ref'] as GupRef);
  if ((p['flusher-irqs-off'] as boolean) && !flusher) throw new ConfigError('--flusher-irqs-off needs --flusher');

  // mm->mm_users: the threads of the mm (syscall agents, user CPUs); exit_mmap runs when it is 0.
  const threads = new Set<number>();
  const users: number[] = [];
  for (let c = 0; c < cpus; c++) if (!kernelCpus.has(c) && !(flusher && c === cpus - 1)) users.push(c);
  users.slice(0, accessors).forEach((x) => threads.add(x));
  users.slice(users.length - gup).forEach((x) => threads.add(x));
  const exiting = agents.some((a) => a.path === 'exit_mmap');
  const syscalls = agents.filter((a) => findPath(a.path)!.revokes !== 'none' || a.path === 'shift_arg_pages').length;
  const derivedUsers = exiting ? 0 : Math.max(1, syscalls) + threads.size;
  const mmUsers = p['mm-users'] === AUTO || p['mm-users'] === undefined ? derivedUsers : (p['mm-users'] as number);

  const batchP = p['batch'];
  const batch = batchP === AUTO || batchP === undefined ? Number.POSITIVE_INFINITY : (batchP as number);
  const without = new Set<string>();
  for (const w of String(p['without'] ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const mech = findMechanism(w);
    if (!mech) throw new ConfigError(`--without: unknown mechanism '${w.length > 40 ? `${w.slice(0, 39)}…` : w}' (known: ${MECHANISMS.map((x) => x.id).join(', ')})`);
    without.add(mech.id);
  }
  const switching = (p['switch'] as number | undefined) ?? 0;
  if (switching > 0 && backend.kernel !== 'v6') throw new ConfigError('--switch: context switches are modelled on v6 backends only');
  if (switching > accessors - Math.max(0, accessors + gup - userCpus)) {
    throw new ConfigError(`--switch ${switching} needs ${switching} accessor CPUs that run no gup_fast (--accessors is ${accessors}, --gup ${gup})`);
  }
  const spanP = p['span'];
  const span = spanP === AUTO || spanP === undefined ? 0 : (spanP as number);
  const kconfigText = String(p['kconfig'] ?? '').trim();
  let effective: Backend = backend;
  if (kconfigText !== '') {
    if (backend.kernel !== 'v6') throw new ConfigError(`--kconfig: ${backend.id} is a 2011 backend (it has no Kconfig choices)`);
    const kc: Record<string, boolean> = { ...backend.kconfig };
    for (const item of kconfigText.split(',').map((x) => x.trim()).filter(Boolean)) {
      const mm = /^([A-Z0-9_]+)=([yn])$/.exec(item);
      if (!mm) throw new ConfigError(`--kconfig: '${item.length > 40 ? `${item.slice(0, 39)}…` : item}' is not NAME=y or NAME=n`);
      if (!(mm[1]! in kc)) throw new ConfigError(`--kconfig: unknown option ${mm[1]} (known: ${Object.keys(kc).join(', ')})`);
      kc[mm[1]!] = mm[2] === 'y';
    }
    effective = { ...backend, kconfig: kc as unknown as Kconfig };
  }
  return {
    backend: effective,
    agents,
    path: agents[0]!.path,
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
    hw: { tlb, walkCache, icache, speculativeWalks: backend.hardware.speculativeWalks, ...(backend.hardware.walkerIrqsOff ? { walkerIrqsOff: true } : {}) },
    switching,
    span,
    gupRef,
    flusher,
    flusherIrqsOff: p['flusher-irqs-off'] as boolean,
    unmapperIrqsOff: p['unmapper-irqs-off'] as boolean,
    mremap,
    mmUsers,
    batch,
    without,
  };
}

/** The --run text that reproduces a configuration's agents. */
export function runText(c: TlbConfig): string {
  return formatRun(c.agents);
}

