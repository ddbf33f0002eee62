/**
 * The progress line on stderr: rewritten about every 2 s when stderr is a
 * terminal; otherwise (a log file, CI) a whole line every LOG_EVERY_MS, so a
 * long run leaves a record and a short one prints nothing. It gives states, rate, memory against the bound, and the time left until
 * a bound stops the search when one can be estimated (see Progress.secondsLeft).
 * Phases after the search (minimization, re-searches) print their own line
 * with a prefix and a status (the attempt in progress).
 */
import type { Progress } from '../engine/result.ts';
import type { SimulationProgress } from '../engine/simulate.ts';
import { formatBytes, formatInt, formatRate } from '../render/report.ts';
import type { Io } from './command.ts';

export interface ProgressPrinter {
  onProgress?: (p: Progress, note?: string) => void;
  /** A status line without search numbers (for example "attempt 3 (cpus 3 -> 2)"). */
  status?: (text: string) => void;
  done(): void;
}

function duration(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function progressLine(p: Progress): string {
  const mem = `mem ${formatBytes(p.rssBytes)}${p.maxMemoryBytes !== undefined ? ` of ${formatBytes(p.maxMemoryBytes)}` : ''}`;
  const left = p.secondsLeft !== undefined && p.leftBy ? `, ~${duration(p.secondsLeft)} left before --${p.leftBy}` : '';
  return `${formatInt(p.states)} states, ${formatInt(p.transitions)} transitions, frontier ${formatInt(p.frontier)}, depth ${p.depth}, ${formatRate(p.statesPerSecond)} states/s, ${mem}, ${duration(p.seconds)}${left}`;
}

export function simulationLine(p: SimulationProgress): string {
  const mem = `mem ${formatBytes(p.rssBytes)}${p.maxMemoryBytes !== undefined ? ` of ${formatBytes(p.maxMemoryBytes)}` : ''}`;
  const left = p.secondsLeft !== undefined ? `, ~${duration(p.secondsLeft)} left${p.leftBy === 'time-limit' ? ' before --time-limit' : ''}` : '';
  return `run ${formatInt(p.runsDone)} of ${formatInt(p.runs)}, ${formatInt(p.steps)} steps, ${formatInt(p.distinctStates)} distinct states, ${mem}, ${duration(p.seconds)}${left}`;
}

/** How often a progress line is logged when stderr is not a terminal. */
const LOG_EVERY_MS = 30_000;

/** Whole progress lines, at most one per LOG_EVERY_MS (for stderr that is not a terminal). */
function progressLogger(io: Io, prefix: string): ProgressPrinter {
  let next = performance.now() + LOG_EVERY_MS;
  return {
    onProgress(p: Progress, note?: string) {
      const now = performance.now();
      if (now < next) return;
      next = now + LOG_EVERY_MS;
      io.err(`${prefix}${note ? `${note}: ` : ''}${progressLine(p)}\n`);
    },
    done() {},
  };
}

export function progressPrinter(io: Io, prefix = ''): ProgressPrinter {
  if (!io.errIsTty) return progressLogger(io, prefix);
  let shown = false;
  return {
    onProgress(p: Progress, note?: string) {
      shown = true;
      io.err(`\r\x1b[2K${prefix}${note ? `${note}: ` : ''}${progressLine(p)}`);
    },
    status(text: string) {
      shown = true;
      io.err(`\r\x1b[2K${prefix}${text}`);
    },
    done() {
      if (shown) io.err('\r\x1b[2K');
    },
  };
}
