/**
 * The command-line entry point: dispatches to a command and turns errors into
 * exit codes. Bad input is one line on stderr and exit code 2, never a stack.
 */
import { formatOptions, IncompleteError, quote, UsageError } from './args.ts';
import { EXIT, type Command, type Io } from './command.ts';
import { checkCommand } from './commands/check.ts';
import { listCommand } from './commands/list.ts';
import { matrixCommand } from './commands/matrix.ts';
import { regenCommand } from './commands/regen.ts';
import { replayCommand } from './commands/replay.ts';
import { simulateCommand } from './commands/simulate.ts';
import { whyCommand } from './commands/why.ts';
import { workerCommand } from './commands/worker.ts';
import { TOOL_VERSION } from '../render/report.ts';

export const COMMANDS: Command[] = [matrixCommand, checkCommand, whyCommand, simulateCommand, replayCommand, regenCommand, listCommand, workerCommand];
/** The command `tlbcheck` runs with no arguments. */
const DEFAULT_COMMAND: string | undefined = 'matrix';

export function defaultIo(): Io {
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t),
    errIsTty: process.stderr.isTTY === true,
    outIsTty: process.stdout.isTTY === true,
  };
}

export function commandHelp(cmd: Command): string {
  return `${cmd.summary}\n\nusage: ${cmd.usage}\n\noptions:\n${formatOptions(cmd.options)}${cmd.details ? `\n\n${cmd.details}` : ''}`;
}

export function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `tlbcheck ${TOOL_VERSION}: an explicit-state model checker for the Linux TLB-shootdown protocol (mmu_gather)`,
    '',
    'usage: tlbcheck [<command>] [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}${c.summary}${c.name === DEFAULT_COMMAND ? ' (the default)' : ''}`),
    '',
    'Run `tlbcheck <command> --help` for a command\'s options.',
    'Exit codes: 0 all properties hold, 1 a violation, 2 usage or input error, 3 incomplete.',
  ].join('\n');
}

export async function main(argv: readonly string[], io: Io = defaultIo()): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined && DEFAULT_COMMAND === undefined) {
      io.out(mainHelp());
      return 0;
    }
    if (first === '--help' || first === '-h' || first === 'help') {
      const target = first === 'help' ? rest[0] : undefined;
      const extra = rest.slice(first === 'help' ? 1 : 0);
      if (extra.length > 0) throw new UsageError(`unexpected argument ${quote(extra[0]!)} after ${first}${first === 'help' ? '' : ' (for a command\'s help: tlbcheck <command> --help)'}`);
      const cmd = target ? COMMANDS.find((c) => c.name === target) : undefined;
      if (target && !cmd) throw new UsageError(`unknown command ${quote(target)}`);
      io.out(cmd ? commandHelp(cmd) : mainHelp());
      return 0;
    }
    if (first === '--version') {
      if (rest.length > 0) throw new UsageError(`unexpected argument ${quote(rest[0]!)} after --version`);
      io.out(`tlbcheck ${TOOL_VERSION}`);
      return 0;
    }
    let cmd = first !== undefined ? COMMANDS.find((c) => c.name === first) : undefined;
    let args: readonly string[] = rest;
    if (!cmd) {
      if (first !== undefined && !first.startsWith('-')) throw new UsageError(`unknown command ${quote(first)} (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
      // Options without a command go to the default command.
      cmd = COMMANDS.find((c) => c.name === DEFAULT_COMMAND);
      if (!cmd) throw new UsageError(`missing command (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
      args = argv;
    }
    if (args[0] === '--help' || args[0] === '-h') {
      io.out(commandHelp(cmd));
      return 0;
    }
    return await cmd.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`tlbcheck: ${oneLine(e.message)}\n`);
      return 2;
    }
    if (e instanceof IncompleteError) {
      io.err(`tlbcheck: ${oneLine(e.message)}\n`);
      return EXIT.incomplete;
    }
    if (process.env['TLBCHECK_DEBUG']) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    io.err(`tlbcheck: internal error: ${oneLine(msg)} (set TLBCHECK_DEBUG=1 for details)\n`);
    return 2;
  }
}

/** At most one line of at most 300 characters: a message never floods the terminal. */
export function oneLine(msg: string): string {
  const first = msg.split('\n')[0]!;
  return first.length > 300 ? `${first.slice(0, 300)}...` : first;
}
