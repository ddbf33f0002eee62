/**
 * Export to ITF, the Informal Trace Format of Apalache and Quint, so traces
 * can be read by their viewers (e.g. the ITF trace viewer in VS Code). Each
 * ITF state is the model's decoded state; integers use ITF's `#bigint` form.
 * ITF has no notion of actions, so each state's `#meta` carries the step label.
 */
import type { Json } from '../engine/model.ts';
import type { TraceView } from '../render/trace.ts';

type Itf = null | boolean | string | { '#bigint': string } | Itf[] | { [k: string]: Itf };

function toItf(v: Json): Itf {
  if (typeof v === 'number') return { '#bigint': String(Math.trunc(v)) };
  if (Array.isArray(v)) return v.map(toItf);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toItf(x)]));
  return v;
}

export function toItfTrace(t: TraceView, description: string): Record<string, unknown> {
  const states = [t.initialDecoded, ...t.steps.map((s) => s.decoded)];
  const vars = states[0] !== null && typeof states[0] === 'object' && !Array.isArray(states[0]) ? Object.keys(states[0]) : ['state'];
  return {
    '#meta': {
      format: 'ITF',
      'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
      source: 'tlbcheck',
      description,
      property: t.property,
    },
    vars,
    states: states.map((s, i) => {
      const body = vars.length === 1 && vars[0] === 'state' ? { state: toItf(s) } : (toItf(s) as Record<string, Itf>);
      const step = i > 0 ? t.steps[i - 1]! : undefined;
      return { '#meta': { index: i, ...(step ? { action: step.name, label: step.label, agent: step.agent } : {}) }, ...body };
    }),
  };
}
