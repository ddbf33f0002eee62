/**
 * What every phase of a command checks between searches (minimization
 * attempts, suite rows, simulation runs): the shared interrupt flag, the
 * command's deadline, the memory bound. A search checks the same bounds
 * itself at every tick (context.ts).
 */
import { interruptRequested } from './interrupt.ts';
import type { Bound, SearchOptions } from './result.ts';

export type Budget = Pick<SearchOptions, 'interrupt' | 'deadline' | 'maxMemoryBytes'>;

/** The bound that stops the command now, or undefined when it may go on. */
export function budgetStop(b: Budget): Bound | undefined {
  if (interruptRequested(b.interrupt)) return 'interrupted';
  if (b.deadline !== undefined && Date.now() >= b.deadline) return 'time-limit';
  if (b.maxMemoryBytes !== undefined && process.memoryUsage.rss() > b.maxMemoryBytes) return 'max-memory';
  return undefined;
}

/** Only the budget of `o` (for re-searches that must not inherit its other options). */
export function budgetOf(o: Budget): Budget {
  const b: { -readonly [K in keyof Budget]: Budget[K] } = {};
  if (o.interrupt !== undefined) b.interrupt = o.interrupt;
  if (o.deadline !== undefined) b.deadline = o.deadline;
  if (o.maxMemoryBytes !== undefined) b.maxMemoryBytes = o.maxMemoryBytes;
  return b;
}
