/** The progress line on stderr, about every 2 s, only when stderr is a terminal. */
import type { Progress } from '../engine/result.ts';
import { formatInt, formatRate } from '../render/report.ts';
import type { Io } from './command.ts';

export function progressPrinter(io: Io, prefix = ''): { onProgress?: (p: Progress) => void; done(): void } {
  if (!io.errIsTty) return { done() {} };
  let shown = false;
  return {
    onProgress(p: Progress) {
      shown = true;
      io.err(
        `\r\x1b[2K${prefix}${formatInt(p.states)} states, ${formatInt(p.transitions)} transitions, frontier ${formatInt(p.frontier)}, depth ${p.depth}, ${formatRate(p.statesPerSecond)} states/s, ${p.seconds.toFixed(0)} s`,
      );
    },
    done() {
      if (shown) io.err('\r\x1b[2K');
    },
  };
}
