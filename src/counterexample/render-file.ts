/** The committed text form of a counterexample: configuration, command, minimization, then the lane view. */
import { renderTrace, wrap } from '../render/text-trace.ts';
import type { TraceView } from '../render/trace.ts';
import type { TraceFile } from './format.ts';

export function renderTraceFile(file: TraceFile, view: TraceView, color = false): string {
  const cfg = Object.entries(file.params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  const lines: string[] = [];
  const note = (text: string): void => {
    lines.push(...wrap(text, 100, '#   ').map((l, i) => (i === 0 ? `# ${l.slice(4)}` : l)));
  };
  note(`${file.model}: ${file.property} (${view.steps.length} steps)`);
  note(`configuration: ${cfg}`);
  if (file.branches && Object.keys(file.branches).length > 0) {
    note(`kernel branches: ${Object.entries(file.branches).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  }
  note(`reproduce: ${file.command}`);
  if (file.minimization) {
    const kept = file.minimization.tried.filter((t) => t.outcome === 'violates').map((t) => t.change);
    note(`minimized by: ${kept.length > 0 ? kept.join(', ') : file.minimization.stopped ? 'nothing yet' : 'nothing (already minimal)'}`);
    if (file.minimization.stopped) {
      note(`minimization stopped early (${file.minimization.stopped}): this is the smallest configuration found so far, a smaller one may still violate`);
    } else {
      const rejected = file.minimization.final.map((t) => `${t.change} (${t.outcome})`);
      note(`no one-step-smaller configuration violates it: ${rejected.length > 0 ? rejected.join(', ') : 'there is none'}`);
    }
  }
  lines.push('');
  lines.push(renderTrace(view, { color }));
  return lines.join('\n');
}
