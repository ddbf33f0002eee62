/**
 * `tlbcheck why <model> [params]`: an ablation table. The configuration is
 * checked as given, then once per mechanism it relies on, with that one
 * mechanism removed: whether it still holds, and if not, which invariant
 * breaks and the minimal counterexample (shortest trace, smallest
 * configuration). The model says what its mechanisms are (ModelFactory.
 * ablations); this command knows nothing of TLBs.
 */
import { check } from '../../engine/check.ts';
import type { SearchResult } from '../../engine/result.ts';
import { counterexample } from '../../counterexample/generate.ts';
import { renderTraceFile } from '../../counterexample/render-file.ts';
import { formatInt } from '../../render/report.ts';
import { traceView } from '../../render/trace.ts';
import { renderTrace } from '../../render/text-trace.ts';
import { UsageError, type OptionSpec } from '../args.ts';
import { EXIT, type Command, type Io } from '../command.ts';
import { HELP_OPTION } from '../command.ts';
import { modelHelp, resolveModel, searchOptions } from './check.ts';
import { TOOL_VERSION } from '../../render/report.ts';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'minimize', kind: 'bool', default: true, description: 'shrink each counterexample to the smallest violating configuration (--no-minimize: the shortest trace as configured)' },
  { name: 'traces', kind: 'bool', default: true, description: 'print each counterexample after the table (--no-traces: the table only)' },
  { name: 'max-states', kind: 'int', min: 1, max: 4e9, description: 'bound every search; a row cut short is incomplete' },
  { name: 'time-limit', kind: 'number', min: 0.001, max: 1e7, valueName: 'seconds', description: 'bound every search; a row cut short is incomplete' },
  { name: 'json', kind: 'bool', description: 'print one versioned JSON document on stdout' },
  HELP_OPTION,
];

interface Row {
  readonly mechanism: string;
  readonly statement: string;
  readonly ref: string | undefined;
  readonly verdict: SearchResult['verdict'];
  readonly property: string | null;
  readonly length: number | null;
  readonly states: number;
  readonly seconds: number;
  readonly command: string | null;
  readonly trace: string | null;
  readonly minimizedLength: number | null;
}

export const whyCommand: Command = {
  name: 'why',
  summary: 'ablation table: remove each mechanism of a holding configuration in turn and show what breaks',
  usage: 'tlbcheck why <model> [--param value ...] [options]',
  details:
    'Exit codes: 0 the configuration holds (whatever the ablations show), 1 it is violated as given,\n' +
    '2 usage or input error, 3 a search was cut short by a bound.',
  options: OPTIONS,
  async run(argv: readonly string[], io: Io): Promise<number> {
    const { factory, params, options } = resolveModel(argv, this.options);
    if (options.get('help')) {
      io.out(modelHelp(factory, this));
      return EXIT.holds;
    }
    if (!factory.ablations) throw new UsageError(`model '${factory.id}' declares no mechanisms to remove`);
    const o = searchOptions(options, [...factory.properties.map((p) => p.id), 'deadlock']);
    const minimize = options.get('minimize') !== false;
    const showTraces = options.get('traces') !== false;
    const bounds = { maxStates: o.maxStates, timeLimitSeconds: o.timeLimitSeconds, maxMemoryBytes: o.maxMemoryBytes };
    const search = (p: typeof params): SearchResult => check(factory.create(p), { ...bounds, symmetry: true });

    const base = search(params);
    const rows: Row[] = [];
    const ablations = factory.ablations(params);
    for (const ab of ablations) {
      const r = search(ab.params);
      const v = r.violations[0];
      let trace: string | null = null;
      let command: string | null = null;
      let minimizedLength: number | null = null;
      if (v) {
        const cx = counterexample(factory, ab.params, v.property, minimize && factory.shrink !== undefined);
        if (cx) {
          command = cx.file.command;
          minimizedLength = cx.view.steps.length;
          trace = renderTraceFile(cx.file, cx.view);
        } else {
          trace = renderTrace(traceView(factory.create(ab.params), v));
        }
      }
      rows.push({
        mechanism: ab.id,
        statement: ab.statement,
        ref: ab.ref,
        verdict: r.verdict,
        property: v?.property ?? null,
        length: v?.path.length ?? null,
        states: r.stats.states,
        seconds: r.stats.seconds,
        command,
        trace,
        minimizedLength,
      });
    }
    const incomplete = base.verdict === 'incomplete' || rows.some((r) => r.verdict === 'incomplete');
    if (options.get('json')) {
      io.out(
        JSON.stringify(
          {
            version: 1,
            tool: `tlbcheck ${TOOL_VERSION}`,
            model: factory.id,
            params,
            branches: factory.branches?.(params) ?? {},
            baseline: { verdict: base.verdict, property: base.violations[0]?.property ?? null, states: base.stats.states },
            rows: rows.map(({ trace, ...r }) => ({ ...r, trace })),
          },
          null,
          2,
        ),
      );
    } else {
      const head = `${factory.id}: ${Object.entries(params)
        .filter(([k, v]) => v !== factory.params.find((p) => p.name === k)?.default)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ')}`;
      io.out(head);
      io.out(`as configured: ${base.verdict}${base.violations[0] ? ` (${base.violations[0].property})` : ''}, ${formatInt(base.stats.states)} states`);
      if (ablations.length === 0) io.out('the configuration relies on no mechanism this model can remove');
      else io.out('\n' + table(rows));
      if (showTraces) {
        for (const r of rows) {
          if (!r.trace) continue;
          io.out(`\n── without ${r.mechanism}: ${r.property} ──\n${r.trace}`);
        }
      }
    }
    if (base.verdict === 'violated') return EXIT.violated;
    return incomplete ? EXIT.incomplete : EXIT.holds;
  },
};

function table(rows: readonly Row[]): string {
  const head = ['WITHOUT', 'VERDICT', 'BREAKS', 'LEN', 'MIN', 'STATES', 'WHAT IT DOES'];
  const body = rows.map((r) => [
    r.mechanism,
    r.verdict,
    r.property ?? '',
    r.length === null ? '' : String(r.length),
    r.minimizedLength === null ? '' : String(r.minimizedLength),
    formatInt(r.states),
    `${r.statement}${r.ref ? ` [${r.ref}]` : ''}`,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : i === 3 || i === 4 || i === 5 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}
