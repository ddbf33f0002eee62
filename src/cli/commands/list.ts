/** `tlbcheck list`: every model with its parameters and properties. */
import { MODELS } from '../../../models/index.ts';
import { parseArgs, quote, UsageError } from '../args.ts';
import { EXIT, HELP_OPTION, type Command, type Io } from '../command.ts';

export const listCommand: Command = {
  name: 'list',
  summary: 'list models, their parameters (with defaults) and their properties',
  usage: 'tlbcheck list [--json]',
  options: [{ name: 'json', kind: 'bool', description: 'print JSON' }, HELP_OPTION],
  async run(argv: readonly string[], io: Io): Promise<number> {
    const { positionals, options } = parseArgs(argv, this.options);
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${quote(positionals[0]!)}`);
    if (options.get('json')) {
      io.out(JSON.stringify({ version: 1, models: MODELS.map((m) => ({ id: m.id, summary: m.summary, params: m.params, properties: m.properties, catalog: m.catalog ?? [] })) }, null, 2));
      return EXIT.holds;
    }
    const lines: string[] = [];
    for (const m of MODELS) {
      lines.push(`${m.id} - ${m.summary}`);
      for (const cat of m.catalog ?? []) {
        lines.push(`  ${cat.title}:`);
        const w = Math.max(...cat.entries.map((e) => e.id.length));
        for (const e of cat.entries) lines.push(`    ${e.id.padEnd(w)}  ${e.summary}`);
      }
      if (m.params.length > 0) lines.push('  parameters:');
      for (const p of m.params) {
        const range =
          p.kind === 'int'
            ? ` ${p.min}..${p.max}${p.auto ? '|auto' : ''}`
            : p.kind === 'enum'
              ? p.values!.length > 6
                ? ` <${p.name}>`
                : ` ${p.values!.join('|')}`
              : '';
        lines.push(`    --${p.name}${range} (default ${String(p.default)})  ${p.description}`);
      }
      lines.push('  properties:');
      const w = Math.max(...m.properties.map((p) => p.id.length));
      for (const p of m.properties) lines.push(`    ${p.id.padEnd(w)}  ${p.kind === 'sometimes' ? '(sometimes: reachable?) ' : ''}${p.statement}`);
      lines.push('');
    }
    io.out(lines.join('\n').trimEnd());
    return EXIT.holds;
  },
};
