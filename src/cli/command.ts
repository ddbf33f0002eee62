/** What a CLI command is: its name, help text, options and a runner returning the exit code. */
import type { OptionSpec } from './args.ts';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress lines are shown only then). */
  readonly errIsTty: boolean;
  readonly outIsTty: boolean;
  /**
   * The command's interrupt flag (engine/interrupt.ts), set by the process on
   * SIGINT/SIGTERM; commands pass it into every search they run.
   */
  readonly interrupt?: Int32Array;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Extra help text printed after the options. */
  readonly details?: string;
  readonly options: readonly OptionSpec[];
  run(argv: readonly string[], io: Io): Promise<number>;
}

export const EXIT = { holds: 0, violated: 1, usage: 2, incomplete: 3 } as const;

export const HELP_OPTION: OptionSpec = { name: 'help', kind: 'bool', description: 'show this help' };
