/** `tlbcheck list`: every model with its parameters and properties. */
import { MODELS } from '../../../models/index.ts';
import { parseArgs, UsageError } from '../args.ts';
import { EXIT, HELP_OPTION, type Command, type Io } from '../command.ts';

export const listCommand: Command = {
  name: 'list',
  summary: 'list models, their parameters (with defaults) and their properties',
  usage: 'tlbcheck list [--json]',
  options: [{ name: 'json', kind: 'bool', description: 'print JSON' }, HELP_OPTION],
  async run(argv: readonly string[], io: Io): Promise<number> {
    const { positionals, options } = parseArgs(argv, this.options);
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (options.get('json')) {
      io.out(JSON.stringify({ version: 1, models: MODELS.map((m) => ({ id: m.id, summary: m.summary, params: m.params, properties: m.properties })) }, null, 2));
      return EXIT.holds;
    }
    const lines: string[] = [];
    for (const m of MODELS) {
      lines.push(`${m.id} - ${m.summary}`);
      for (const p of m.params) {
        const range = p.kind === 'int' ? ` ${p.min}..${p.max}` : p.kind === 'enum' ? ` ${p.values!.join('|')}` : ' true|false';
        lines.push(`    --${p.name}${range} (default ${String(p.default)})  ${p.description}`);
      }
      for (const p of m.properties) lines.push(`    property ${p.id}: ${p.statement}`);
      lines.push('');
    }
    io.out(lines.join('\n').trimEnd());
    return EXIT.holds;
  },
};
