/**
 * A counterexample as one self-contained HTML page: a header (property,
 * configuration, the command that reproduces it), an SVG swimlane with one
 * lane per CPU (or agent) and one row per step, a detail panel for the
 * selected step, and the explanation. Inline CSS and JS only: the page must
 * open from a file, offline, years later.
 */
import type { Json } from '../engine/model.ts';
import { formatChange } from './diff.ts';
import type { TraceStep, TraceView } from './trace.ts';

export interface HtmlMeta {
  readonly title: string;
  readonly config: Readonly<Record<string, string | number | boolean>>;
  /** The command line that reproduces the trace. */
  readonly command?: string;
}

/** Escapes text for HTML and SVG, in element content and quoted attributes alike. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
const esc = escapeHtml;

// Geometry of the swimlane (SVG user units = CSS pixels).
const HEAD = 44; // lane-name band
const ROW = 44; // one step per row
const BOX_H = 30;
const PAD = 12;

/** Narrower lanes when there are many, so 6 lanes still fit next to the panel. */
function laneWidth(lanes: number): number {
  return lanes >= 6 ? 160 : lanes === 5 ? 178 : 206;
}

/** Link styles l0..l3, handed out to link labels (e.g. a model's "IPI", "ack") in order of first appearance. */
type LinkKind = 'l0' | 'l1' | 'l2' | 'l3';
const LINK_KINDS: readonly LinkKind[] = ['l0', 'l1', 'l2', 'l3'];

function linkKinds(t: TraceView): Map<string, LinkKind> {
  const out = new Map<string, LinkKind>();
  for (const st of t.steps) for (const l of st.links) if (!out.has(l.label)) out.set(l.label, LINK_KINDS[Math.min(out.size, LINK_KINDS.length - 1)]!);
  return out;
}

/** What acts in a lane: "cpu0 walker" in lane cpu0 is the walker. */
function roleOf(st: TraceStep): string {
  return st.agent.startsWith(`${st.column} `) ? st.agent.slice(st.column.length + 1) : st.agent;
}

// Pale fills for the roles; the violation is always red. A role's fill comes
// from its name, so it keeps its colour from page to page; clashes within a
// page move to the next free fill.
const ROLE_FILLS = ['#e0ecff', '#fff1c9', '#dcf5e3', '#f3e2ff', '#ffe2d1', '#e3f6f8', '#fde7f3', '#eeeeee'];

function nameHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

function roleFills(steps: readonly TraceStep[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<number>();
  for (const r of [...new Set(steps.map(roleOf))].sort()) {
    let k = nameHash(r) % ROLE_FILLS.length;
    for (let tries = 0; used.has(k) && tries < ROLE_FILLS.length; tries++) k = (k + 1) % ROLE_FILLS.length;
    used.add(k);
    out.set(r, ROLE_FILLS[k]!);
  }
  return out;
}

/** Truncates to what fits in `px` at roughly `charPx` per character; the panel has the full text. */
function fit(s: string, px: number, charPx: number): string {
  const max = Math.max(4, Math.floor(px / charPx));
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function renderSvg(t: TraceView, roles: Map<string, string>, kinds: Map<string, LinkKind>): string {
  const lanes = t.columns;
  const lw = laneWidth(lanes.length);
  const font = lw >= 180 ? 12 : 11;
  const n = t.steps.length;
  const footer = n > 12 ? HEAD : 0; // long traces repeat the lane names at the bottom
  const width = PAD * 2 + lanes.length * lw;
  const height = HEAD + (n + 1) * ROW + footer;
  const cx = (lane: number): number => PAD + lane * lw + lw / 2;
  const rowY = (i: number): number => HEAD + i * ROW + ROW / 2; // centre of row i (0-based)
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="lanes" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-label="swimlane of the counterexample">`,
  );
  // One arrowhead per link style; markers take their colour from here, not from the line.
  out.push('<defs>');
  for (const [k, color] of [['l0', '#1d4ed8'], ['l1', '#7e22ce'], ['l2', '#047857'], ['l3', '#6b7280']] as const) {
    out.push(`<marker id="arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`);
  }
  out.push('</defs>');
  // Zebra rows, so a step's arrows read as belonging to its row.
  for (let i = 0; i < n; i++) if (i % 2 === 1) out.push(`<rect class="zebra" x="0" y="${HEAD + i * ROW}" width="${width}" height="${ROW}"/>`);
  const laneNames = (y: number): void => {
    lanes.forEach((name, i) => {
      out.push(`<rect class="lane-head" x="${PAD + i * lw + 6}" y="${y + 8}" width="${lw - 12}" height="26" rx="6"/>`);
      out.push(`<text class="lane-name" x="${cx(i)}" y="${y + 26}" text-anchor="middle">${esc(fit(name, lw - 20, 7.5))}</text>`);
    });
  };
  lanes.forEach((_, i) => {
    out.push(`<line class="lifeline" x1="${cx(i)}" y1="${HEAD}" x2="${cx(i)}" y2="${height - footer - 6}"/>`);
  });
  laneNames(0);
  if (footer) laneNames(height - footer);
  out.push(...renderSpans(t, lanes, cx, rowY, lw));

  const boxW = lw - 14;
  t.steps.forEach((st, i) => {
    const lane = lanes.indexOf(st.column);
    if (lane < 0) return;
    const y = rowY(i);
    const last = i === n - 1;
    // Links first, so the boxes and tags are drawn over the lines they cross.
    const tags: string[] = [];
    for (const link of st.links) {
      const target = lanes.indexOf(link.column);
      if (target < 0 || target === lane) continue;
      const k = kinds.get(link.label) ?? 'l3';
      const dir = target > lane ? 1 : -1;
      const tagW = Math.min(lw - 20, Math.max(30, link.label.length * 7 + 14));
      const x1 = cx(lane) + (dir * boxW) / 2;
      const x2 = cx(target) - (dir * tagW) / 2 - dir * 2;
      out.push(`<line class="link link-${k}" x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" marker-end="url(#arrow-${k})"/>`);
      tags.push(
        `<g class="tag tag-${k}"><rect x="${cx(target) - tagW / 2}" y="${y - 9}" width="${tagW}" height="18" rx="9"/><text x="${cx(target)}" y="${y + 4}" text-anchor="middle">${esc(fit(link.label, tagW - 8, 6.5))}</text></g>`,
      );
    }
    out.push(...tags);
    const fill = last ? '#fee2e2' : (roles.get(roleOf(st)) ?? ROLE_FILLS[ROLE_FILLS.length - 1]!);
    const x = cx(lane) - boxW / 2;
    const num = String(st.index);
    const numW = 10 + num.length * 7;
    out.push(
      // The last step starts selected, even before (or without) the script.
      `<g class="step${last ? ' violation selected' : ''}${st.style ? ` style-${esc(st.style)}` : ''}" data-step="${st.index}" tabindex="0" role="button" aria-label="step ${st.index}: ${esc(st.short)}">` +
        `<title>${esc(`${st.index}. ${st.agent}: ${st.label}`)}</title>` +
        `<rect class="box" x="${x}" y="${y - BOX_H / 2}" width="${boxW}" height="${BOX_H}" rx="8" fill="${fill}"/>` +
        `<rect class="num" x="${x + 4}" y="${y - 10}" width="${numW}" height="20" rx="10"/>` +
        `<text class="num-text" x="${x + 4 + numW / 2}" y="${y + 4}" text-anchor="middle">${num}</text>` +
        `<text class="short" x="${x + numW + 9}" y="${y + 4}" font-size="${font}">${esc(fit(st.short, boxW - numW - 14, font * 0.54))}</text>` +
        '</g>',
    );
  });
  // Say what went wrong right under the last step, where the eye ends up.
  const lastStep = t.steps[n - 1];
  if (lastStep) {
    const lane = Math.max(0, lanes.indexOf(lastStep.column));
    const what = t.kind === 'deadlock' ? `✗ deadlock: ${t.property}` : t.kind === 'reach-state' || t.kind === 'reach-step' ? `✓ reaches ${t.property}` : `✗ violates ${t.property}`;
    const anchor = lane === 0 ? 'start' : lane === lanes.length - 1 ? 'end' : 'middle';
    const tx = anchor === 'start' ? PAD + 6 : anchor === 'end' ? PAD + lanes.length * lw - 6 : cx(lane);
    out.push(`<text class="verdict" x="${tx}" y="${rowY(n) - 2}" text-anchor="${anchor}">${esc(what)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

/** Span colours, handed out to span kinds (a model's "lock", "irqs off", "walk") in order of first appearance. */
const SPAN_COLORS = ['#f59e0b', '#ef4444', '#10b981', '#8b5cf6', '#0ea5e9', '#64748b'];

function spanKinds(t: TraceView): Map<string, string> {
  const out = new Map<string, string>();
  for (const sp of [...t.initialSpans, ...t.steps.flatMap((s) => s.spans)]) {
    if (!out.has(sp.kind)) out.set(sp.kind, SPAN_COLORS[Math.min(out.size, SPAN_COLORS.length - 1)]!);
  }
  return out;
}

/**
 * Windows open on a lane (Model.laneSpans) as bars beside its lifeline, from
 * the row of the step that opened them to the row of the step that closed
 * them; each kind keeps its own offset and colour, and the bar's title names
 * the window.
 */
function renderSpans(t: TraceView, lanes: readonly string[], cx: (i: number) => number, rowY: (i: number) => number, lw: number): string[] {
  const kinds = spanKinds(t);
  const kindList = [...kinds.keys()];
  const out: string[] = [];
  const key = (sp: { column: string; kind: string; label: string }): string => `${sp.column}\u0000${sp.kind}\u0000${sp.label}`;
  const states = [t.initialSpans, ...t.steps.map((s) => s.spans)];
  const open = new Map<string, { start: number; column: string; kind: string; label: string }>();
  const close = (k: string, end: number): void => {
    const o = open.get(k)!;
    open.delete(k);
    const lane = lanes.indexOf(o.column);
    if (lane < 0) return;
    const slot = kindList.indexOf(o.kind);
    const x = cx(lane) - lw / 2 + 3 + slot * 5;
    // Row i (0-based) is step i+1; a window open after step j spans rows j..end-1.
    const y1 = o.start === 0 ? rowY(0) - 18 : rowY(o.start - 1);
    const y2 = rowY(Math.max(o.start, end) - 1) + (end > t.steps.length - 1 ? 16 : 0);
    out.push(
      `<rect class="span" x="${x}" y="${y1}" width="4" height="${Math.max(6, y2 - y1)}" rx="2" fill="${kinds.get(o.kind)}"><title>${esc(`${o.column}: ${o.label} (${o.kind})`)}</title></rect>`,
    );
  };
  states.forEach((list, i) => {
    const now = new Set(list.map(key));
    for (const k of [...open.keys()]) if (!now.has(k)) close(k, i);
    for (const sp of list) if (!open.has(key(sp))) open.set(key(sp), { start: i, ...sp });
  });
  for (const k of [...open.keys()]) close(k, states.length);
  return out;
}

function pretty(v: Json): string {
  return esc(JSON.stringify(v, null, 2));
}

/** The panel content of one step; all but the selected one start hidden. */
function renderDetail(t: TraceView, st: TraceStep, selected: boolean): string {
  const last = st.index === t.steps.length;
  const links = st.links.map((l) => `${esc(l.label)} → ${esc(l.column)}`).join(', ');
  const changes = st.changes.length
    ? `<ul class="changes">${st.changes.map((c) => `<li><code>${esc(formatChange(c))}</code></li>`).join('')}</ul>`
    : '<p class="muted small">no change to the decoded state</p>';
  return `<section class="detail${last ? ' violation' : ''}" data-detail="${st.index}"${selected ? '' : ' hidden'}>
<h3>Step ${st.index} <span class="muted">of ${t.steps.length}</span>${last ? ` <span class="badge">${t.kind === 'deadlock' ? 'deadlock' : t.kind === 'reach-state' || t.kind === 'reach-step' ? 'witness' : 'violation'}</span>` : ''}</h3>
<dl><dt>agent</dt><dd>${esc(st.agent)}</dd><dt>lane</dt><dd>${esc(st.column)}</dd>${links ? `<dt>reaches</dt><dd>${links}</dd>` : ''}</dl>
<p class="label">${esc(st.label)}</p>
<h4>Changes</h4>
${changes}
<details><summary>State after step ${st.index}</summary><pre>${pretty(st.decoded)}</pre></details>
</section>`;
}

const CSS = `
:root { --red: #b91c1c; --ink: #1f2937; --muted: #6b7280; --line: #d1d5db; }
* { box-sizing: border-box; }
body { margin: 0; padding: 16px 20px 32px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fafafa; }
h1 { font-size: 20px; margin: 0 0 6px; }
code, pre, .label, .changes { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.prop { font-weight: 600; color: var(--red); }
.kind { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; background: #eef; border-radius: 4px; padding: 1px 6px; margin-left: 6px; }
.config { display: flex; flex-wrap: wrap; gap: 4px 6px; margin: 8px 0; padding: 0; list-style: none; }
.config li { background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 0 6px; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
pre.cmd { background: #111827; color: #e5e7eb; padding: 8px 12px; border-radius: 6px; overflow-x: auto; margin: 6px 0; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: center; font-size: 12px; color: var(--muted); margin: 10px 0 4px; }
.legend svg { vertical-align: middle; }
.sw { display: inline-block; width: 14px; height: 12px; border: 1px solid #9ca3af; border-radius: 3px; vertical-align: middle; margin-right: 4px; }
.main { display: flex; gap: 16px; align-items: flex-start; }
.diagram { flex: 0 1 auto; overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
.panel { flex: 1 0 340px; max-width: 560px; position: sticky; top: 12px; max-height: calc(100vh - 24px); overflow: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 4px 14px 12px; }
.panel h3 { margin: 10px 0 6px; font-size: 16px; }
.panel h4 { margin: 10px 0 4px; font-size: 13px; }
.panel dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0 0 8px; font-size: 13px; }
.panel dt { color: var(--muted); }
.panel dd { margin: 0; }
.label { background: #f3f4f6; border-radius: 6px; padding: 6px 8px; white-space: pre-wrap; word-break: break-word; }
.changes { margin: 0; padding-left: 18px; }
.changes li { margin: 1px 0; word-break: break-word; }
.badge { font-size: 11px; background: var(--red); color: #fff; border-radius: 4px; padding: 1px 6px; vertical-align: middle; }
.muted { color: var(--muted); font-weight: normal; }
.small { font-size: 13px; margin: 2px 0; }
details pre { max-height: 420px; overflow: auto; background: #f9fafb; border: 1px solid #e5e7eb; padding: 6px; }
summary { cursor: pointer; font-size: 13px; margin-top: 8px; }
.explanation { margin-top: 18px; background: #fef2f2; border: 1px solid #fecaca; border-left: 5px solid var(--red); border-radius: 6px; padding: 10px 14px; font-size: 15px; }
.explanation strong { color: var(--red); }
svg.lanes { display: block; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.zebra { fill: #f8fafc; }
.lifeline { stroke: #cbd5e1; stroke-width: 1.5; stroke-dasharray: 4 4; }
.lane-head { fill: #1f2937; }
.lane-name { fill: #fff; font-size: 13px; font-weight: 600; }
.step { cursor: pointer; outline: none; }
.step .box { stroke: #64748b; stroke-width: 1; }
.step:hover .box, .step:focus-visible .box { stroke: #111827; stroke-width: 2; }
.step.selected .box { stroke: #111827; stroke-width: 2.5; }
.step .num { fill: #334155; }
.step .num-text { fill: #fff; font-size: 11px; font-weight: 700; }
.step .short { fill: #111827; }
.step.style-flush .box { stroke: #1d4ed8; stroke-width: 2; stroke-dasharray: 5 3; }
.step.style-free .box { stroke: #c2410c; stroke-width: 2.5; }
.step.style-lock .box { stroke: #a16207; }
.sw.style-flush { border: 2px dashed #1d4ed8; }
.sw.style-free { border: 2px solid #c2410c; }
.sw.style-lock { border: 1px solid #a16207; }
.step.violation .box { stroke: var(--red); stroke-width: 2.5; }
.step.violation.selected .box { stroke-width: 3.5; }
.step.violation .num { fill: var(--red); }
.step.violation .short { fill: #7f1d1d; font-weight: 600; }
.verdict { fill: var(--red); font-size: 12px; font-weight: 700; }
.link { stroke-width: 1.8; fill: none; }
.link-l0 { stroke: #1d4ed8; }
.link-l1 { stroke: #7e22ce; stroke-dasharray: 7 4; }
.link-l2 { stroke: #047857; stroke-dasharray: 2 3; }
.link-l3 { stroke: #6b7280; stroke-dasharray: 1 3; }
.tag rect { fill: #fff; stroke-width: 1.3; }
.tag text { font-size: 10.5px; font-weight: 600; }
.tag-l0 rect { stroke: #1d4ed8; } .tag-l0 text { fill: #1d4ed8; }
.tag-l1 rect { stroke: #7e22ce; stroke-dasharray: 3 2; } .tag-l1 text { fill: #7e22ce; }
.tag-l2 rect { stroke: #047857; } .tag-l2 text { fill: #047857; }
.tag-l3 rect { stroke: #6b7280; } .tag-l3 text { fill: #374151; }
`;

// Clicking a step (or moving with the arrow keys) shows its detail section.
const JS = `
(function () {
  var steps = Array.prototype.slice.call(document.querySelectorAll('[data-step]'));
  var details = document.querySelectorAll('[data-detail]');
  var current = steps.length;
  function select(n, focus) {
    if (n < 1 || n > steps.length) return;
    current = n;
    steps.forEach(function (s) { s.classList.toggle('selected', Number(s.getAttribute('data-step')) === n); });
    for (var i = 0; i < details.length; i++) details[i].hidden = Number(details[i].getAttribute('data-detail')) !== n;
    if (focus) steps[n - 1].focus();
  }
  steps.forEach(function (s) {
    s.addEventListener('click', function () { select(Number(s.getAttribute('data-step')), false); });
    s.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(Number(s.getAttribute('data-step')), false); }
    });
  });
  document.addEventListener('keydown', function (e) {
    if (e.target && /^(INPUT|TEXTAREA|SUMMARY)$/.test(e.target.tagName)) return;
    if (e.key === 'ArrowDown' || e.key === 'j') { e.preventDefault(); select(current + 1, true); }
    if (e.key === 'ArrowUp' || e.key === 'k') { e.preventDefault(); select(current - 1, true); }
  });
})();
`;

function legend(t: TraceView, roles: Map<string, string>, kinds: Map<string, LinkKind>): string {
  const line = (k: LinkKind, text: string): string =>
    `<span><svg width="34" height="10" aria-hidden="true"><line class="link link-${k}" x1="1" y1="5" x2="33" y2="5"/></svg> ${esc(text)}</span>`;
  const roleItems = [...roles].map(([r, fill]) => `<span><i class="sw" style="background:${fill}"></i>${esc(r)}</span>`);
  const linkItems = [...kinds].map(([label, k]) => line(k, label));
  const spanItems = [...spanKinds(t)].map(([kind, color]) => `<span><i class="sw" style="background:${color};width:5px"></i>${esc(kind)}</span>`);
  const styles = [...new Set(t.steps.map((s) => s.style).filter((x): x is string => x !== undefined))];
  const styleItems = styles.map((st) => `<span><i class="sw style-${esc(st)}"></i>${esc(st)} step</span>`);
  return `<div class="legend">${roleItems.join('')}<span><i class="sw" style="background:#fee2e2;border-color:#b91c1c"></i>violation</span>${linkItems.join('')}${spanItems.join('')}${styleItems.join('')}<span>· click a step, or use ↑/↓</span></div>`;
}

export function renderHtml(t: TraceView, meta: HtmlMeta): string {
  const roles = roleFills(t.steps);
  const n = t.steps.length;
  const config = Object.entries(meta.config)
    .map(([k, v]) => `<li>${esc(k)}=${esc(String(v))}</li>`)
    .join('');
  const details = n
    ? t.steps.map((st) => renderDetail(t, st, st.index === n)).join('\n')
    : `<section class="detail"><h3>Initial state</h3><p>The initial state already violates the property.</p><pre>${pretty(t.initialDecoded)}</pre></section>`;
  const kinds = linkKinds(t);
  const svg = renderSvg(t, roles, kinds);
  const where = n ? ` at step ${n}` : ' in the initial state';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(meta.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(meta.title)}</h1>
<div><span class="prop">${esc(t.property)}</span><span class="kind">${esc(t.kind)}</span> ${esc(t.statement)}</div>
<ul class="config">${config}</ul>
${meta.command ? `<pre class="cmd"><code>${esc(meta.command)}</code></pre>` : ''}
</header>
${legend(t, roles, kinds)}
<div class="main">
<div class="diagram">
${svg}
</div>
<aside class="panel" aria-live="polite">
${details}
<details><summary>Initial state</summary><pre>${pretty(t.initialDecoded)}</pre></details>
</aside>
</div>
<p class="explanation"><strong>${t.kind === 'reach-state' || t.kind === 'reach-step' ? 'Witness' : 'Violation'}${where}:</strong> ${esc(t.explanation)}</p>
<script>${JS}</script>
</body>
</html>
`;
}
