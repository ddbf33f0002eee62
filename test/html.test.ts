/**
 * The HTML counterexample page, checked as text (no browser): one offline
 * document, one SVG step per trace step, lanes, and everything escaped.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/check.ts';
import { tlbFactory } from '../models/tlb/index.ts';
import { TLB_PARAMS } from '../models/tlb/config.ts';
import { traceView, type TraceView } from '../src/render/trace.ts';
import { renderHtml } from '../src/render/html.ts';

function realTrace(params: Record<string, string | number | boolean>): TraceView {
  const defaults = Object.fromEntries(TLB_PARAMS.map((p) => [p.name, p.default]));
  const m = tlbFactory.create({ ...defaults, ...params });
  const r = check(m);
  expect(r.violations.length).toBeGreaterThan(0);
  return traceView(m, r.violations[0]!);
}

const count = (s: string, re: RegExp): number => (s.match(re) ?? []).length;

describe('renderHtml', () => {
  const config = { backend: 'tile-2.6.38', pages: 2, vmas: 2 };
  const t = realTrace(config);
  const html = renderHtml(t, { title: 'tile counterexample', config, command: 'tlbcheck check --backend=tile-2.6.38 --pages=2 --vmas=2' });

  it('is one self-contained document', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(count(html, /<html[\s>]/g)).toBe(1);
    expect(count(html, /<\/html>/g)).toBe(1);
    expect(count(html, /<body[\s>]/g)).toBe(1);
    // Nothing is fetched: no external src/href, no <link>, no external script or import.
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
  });

  it('draws an SVG swimlane with one step element per step, the last one highlighted', () => {
    expect(count(html, /<svg[\s>]/g)).toBeGreaterThanOrEqual(1);
    expect(t.steps.length).toBeGreaterThan(2);
    expect(count(html, /data-step="\d+"/g)).toBe(t.steps.length);
    for (const st of t.steps) expect(count(html, new RegExp(`data-step="${st.index}"`, 'g'))).toBe(1);
    const last = t.steps.length;
    expect(html).toMatch(new RegExp(`class="step violation selected" data-step="${last}"`));
    // The last step's detail starts visible, the others hidden.
    expect(html).toMatch(new RegExp(`data-detail="${last}">`));
    expect(html).toMatch(/data-detail="1" hidden>/);
  });

  it('shows lanes, property, configuration, command and explanation', () => {
    expect(t.columns).toEqual(['cpu0', 'cpu1', 'allocator']);
    for (const lane of t.columns) expect(html).toContain(`>${lane}</text>`);
    expect(html).toContain(t.property);
    expect(html).toContain('backend=tile-2.6.38');
    expect(html).toContain('<code>tlbcheck check --backend=tile-2.6.38 --pages=2 --vmas=2</code>');
    expect(html).toMatch(/class="explanation"/);
    expect(html).toContain(t.explanation.replace(/&/g, '&#38;').replace(/</g, '&#60;').replace(/>/g, '&#62;').replace(/'/g, '&#39;').replace(/"/g, '&#34;'));
    // Arrows: the tile flush is a broadcast to cpu1, drawn in the first link style and named in the legend.
    expect(html).toMatch(/class="link link-l0"/);
    expect(html).toMatch(/<line class="link link-l0"[^>]*><\/svg> broadcast<\/span>/);
  });

  it('escapes labels, shorts, explanation, title and config', () => {
    const evil = '<script>alert("x")</script> & \'q\'';
    const steps = t.steps.map((st, i) => (i === 0 ? { ...st, label: evil, short: evil, agent: `cpu0 <b>` } : st));
    const bad: TraceView = { ...t, steps, explanation: `${evil} <img src=x onerror=alert(1)>`, statement: '<i>s</i>' };
    const out = renderHtml(bad, { title: '<title>', config: { '<k>': '"v"&' }, command: 'a <b> && c' });
    // Only the page's own inline script remains.
    expect(count(out, /<script/gi)).toBe(1);
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<b>');
    expect(out).not.toContain('<i>s</i>');
    expect(out).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;q&#39;');
    expect(out).toContain('&#60;k&#62;=&#34;v&#34;&#38;');
  });

  it('draws IPI and ack links for an IPI deadlock', () => {
    const params = { backend: 'x86-2.6.38', cpus: 3, flusher: true, 'flusher-irqs-off': true, 'unmapper-irqs-off': true };
    const d = realTrace(params);
    expect(d.kind).toBe('deadlock');
    const page = renderHtml(d, { title: 'deadlock', config: params });
    // Two link labels, two styles, both in the legend.
    expect(page).toMatch(/class="link link-l0"/);
    expect(page).toMatch(/class="link link-l1"/);
    expect(page).toContain('</svg> IPI</span>');
    expect(page).toContain('</svg> ack</span>');
    expect(page).not.toMatch(/<pre class="cmd">/); // no command given
    expect(count(page, /data-step="\d+"/g)).toBe(d.steps.length);
  });
});

describe('renderHtml: windows on lanes and kinds of steps', () => {
  const config = { backend: 'generic-6.18', run: 'cpu0=madvise_dontneed,cpu1=madvise_dontneed', cpus: 3, pages: 2, vmas: 1, without: 'nested-flush' };
  const t = realTrace(config);
  const html = renderHtml(t, { title: 'madvise', config });

  it('draws lock-held, irqs-off and walk windows as bars on their lane, named in a tooltip', () => {
    const spans = html.match(/<rect class="span"[^>]*><title>[^<]*<\/title><\/rect>/g) ?? [];
    expect(spans.some((x) => x.includes('cpu0: PTL t0 (lock held)'))).toBe(true);
    expect(spans.some((x) => x.includes('cpu1: vma0 read lock (lock held)'))).toBe(true);
    expect(spans.some((x) => x.includes('(walk in flight)'))).toBe(true);
    // Each kind has a legend entry.
    expect(html).toContain('lock held</span>');
    expect(html).toContain('walk in flight</span>');
  });

  it('styles flushes, frees and lock steps apart from the others', () => {
    expect(count(html, /class="step style-lock"/g)).toBeGreaterThan(0);
    const u = realTrace({ backend: 'tile-2.6.38', pages: 2, vmas: 2 });
    const page = renderHtml(u, { title: 'tile', config: {} });
    for (const style of ['flush', 'free']) {
      const n = u.steps.filter((st) => st.style === style).length;
      expect(n).toBeGreaterThan(0);
      expect(count(page, new RegExp(`class="step[^"]*style-${style}`, 'g'))).toBe(n);
    }
  });
});
