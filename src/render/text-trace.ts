/**
 * A counterexample as text: one lane per CPU (or agent), one row per step
 * with a short label in the lane that acted and arrows in the lanes it
 * reached, then the full hook stack and what the step changed; the
 * violation in the model's words at the end. At most `width` columns.
 */
import { formatChange } from './diff.ts';
import type { TraceView } from './trace.ts';

export interface TextOptions {
  readonly width?: number;
  readonly color?: boolean;
}

const ESC = '\x1b[';

function paint(on: boolean, code: string, s: string): string {
  return on && s ? `${ESC}${code}m${s}${ESC}0m` : s;
}

/** Breaks `text` into lines of at most `width`, preferring spaces. */
export function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let rest = text;
  const room = Math.max(10, width - indent.length);
  while (rest.length > room) {
    let cut = rest.lastIndexOf(' ', room);
    if (cut <= room / 3) cut = room;
    out.push(indent + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  out.push(indent + rest);
  return out;
}

function fit(s: string, w: number): string {
  return s.length <= w ? s.padEnd(w) : `${s.slice(0, Math.max(0, w - 1))}…`;
}

export function renderTrace(t: TraceView, opts: TextOptions = {}): string {
  const W = opts.width ?? 100;
  const color = opts.color ?? false;
  const lanes = t.columns;
  const num = 5;
  const lw = Math.max(8, Math.floor((W - num) / Math.max(1, lanes.length)) - 1);
  const indent = ' '.repeat(num + 1);
  const lines: string[] = [];
  const row = (cells: readonly string[]): string => cells.map((c) => fit(c, lw)).join('│').trimEnd();

  lines.push(...wrap(`${t.property}: ${t.statement}`, W, '').map((l) => paint(color, '1', l)));
  lines.push('');
  lines.push(' '.repeat(num) + row(lanes).replace(/\s+$/, ''));
  lines.push(' '.repeat(num) + lanes.map(() => '─'.repeat(lw)).join('┼'));
  const lastIndex = t.steps.length;
  for (const st of t.steps) {
    const cells = lanes.map((lane) => {
      if (lane === st.column) return st.short;
      const link = st.links.find((l) => l.column === lane);
      return link ? `  ◀ ${link.label}` : '';
    });
    const head = `${String(st.index).padStart(num - 1)} `;
    const isLast = st.index === lastIndex;
    lines.push(paint(color, isLast ? '31;1' : '1', head + row(cells)));
    for (const l of wrap(`${st.agent}: ${st.label}`, W, indent)) lines.push(paint(color, '2', l));
    for (const c of st.changes) for (const l of wrap(`· ${formatChange(c)}`, W, indent)) lines.push(paint(color, '36', l));
    if (isLast && (t.kind === 'reach-state' || t.kind === 'reach-step')) lines.push(paint(color, '32', `${indent}✓ reaches ${t.property}`));
    else if (isLast && t.kind !== 'deadlock') lines.push(paint(color, '31', `${indent}✗ violates ${t.property}`));
  }
  if (t.kind === 'deadlock') lines.push(paint(color, '31', `${indent}✗ no agent can move: ${t.property}`));
  lines.push('');
  const witness = t.kind === 'reach-state' || t.kind === 'reach-step';
  lines.push(...wrap(`${witness ? 'Witness' : 'Violation'}${t.steps.length > 0 ? ` at step ${lastIndex}` : ''}: ${t.explanation}`, W, '').map((l) => paint(color, witness ? '32' : '31', l)));
  return lines.join('\n');
}
