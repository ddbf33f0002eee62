/** The CLI as a process: exit codes, one-line errors, the JSON document. */
import { describe, expect, it, vi } from 'vitest';
import { isOneLineError, tlbcheck } from './cli-helpers.ts';
import { progressPrinter } from '../src/cli/progress.ts';
import type { Io } from '../src/cli/command.ts';

describe('tlbcheck CLI', () => {
  it('--help exits 0 and lists the commands', () => {
    const r = tlbcheck('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('check');
    expect(r.stdout).toContain('list');
  });

  it('every command has --help', () => {
    for (const cmd of ['check', 'list']) {
      const r = tlbcheck(cmd, '--help');
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toContain('usage:');
    }
    const m = tlbcheck('check', 'philosophers', '--help');
    expect(m.code).toBe(0);
    expect(m.stdout).toContain('--n');
  });

  it('check peterson --json holds with exit 0', () => {
    const r = tlbcheck('check', 'peterson', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.version).toBe(1);
    expect(doc.model).toBe('peterson');
    expect(doc.verdict).toBe('holds');
    expect(doc.stats.states).toBe(20);
    expect(doc.stats.transitions).toBe(34);
    expect(typeof doc.stats.depth).toBe('number');
    expect(typeof doc.stats.seconds).toBe('number');
    expect(doc.violations).toEqual([]);
  });

  it('philosophers --n 5: violated, deadlock, a 5-step trace, exit 1', () => {
    const r = tlbcheck('check', 'philosophers', '--n', '5', '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.verdict).toBe('violated');
    expect(doc.config.n).toBe(5);
    expect(doc.violations).toHaveLength(1);
    expect(doc.violations[0].property).toBe('deadlock');
    expect(doc.violations[0].trace).toHaveLength(5);
    expect(doc.violations[0].trace[0]).toMatchObject({ agent: 'phil0', label: 'takeLeft(0)' });
  });

  it('philosophers --n 10 --all counts 6726 states', () => {
    const doc = JSON.parse(tlbcheck('check', 'philosophers', '--n', '10', '--all', '--json').stdout);
    expect(doc.stats.states).toBe(6726);
    expect(doc.complete).toBe(true);
  });

  it('--workers 2 reports the same complete count as the sequential search (philosophers 14: 228,486)', () => {
    const seq = JSON.parse(tlbcheck('check', 'philosophers', '--n', '14', '--all', '--json').stdout);
    const par = JSON.parse(tlbcheck('check', 'philosophers', '--n', '14', '--all', '--json', '--workers', '2').stdout);
    expect(seq.stats.states).toBe(228486);
    expect(par.stats.states).toBe(228486);
    expect(par.stats.transitions).toBe(seq.stats.transitions);
    expect(par.violations[0].length).toBe(14);
  });

  it('--max-memory ends in incomplete (exit 3) with what was covered and a continue command that gets further', () => {
    const r = tlbcheck('check', 'philosophers', '--n', '18', '--all', '--max-memory', '160');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('the --max-memory bound was reached');
    expect(r.stdout).toMatch(/covered [\d,]+ states to depth \d+; to go further: tlbcheck check philosophers --n 18 --all --max-memory 320/);
    const doc = JSON.parse(tlbcheck('check', 'philosophers', '--n', '18', '--all', '--max-memory', '160', '--json').stdout);
    expect(doc.bound).toBe('max-memory');
    expect(doc.continue).toBe('tlbcheck check philosophers --n 18 --all --json --max-memory 320');
    const next = JSON.parse(tlbcheck(...(doc.continue as string).split(' ').slice(1)).stdout);
    expect(next.stats.states).toBeGreaterThan(doc.stats.states);
  });

  it('a --max-memory below what the process needs to start is refused', () => {
    const r = tlbcheck('check', 'peterson', '--max-memory', '20');
    expect(r.code).toBe(2);
    expect(isOneLineError(r)).toBe(true);
    expect(r.stderr).toContain('below what tlbcheck needs to run at all');
    expect(tlbcheck('matrix', '--max-memory', '20').code).toBe(2);
    expect(tlbcheck('simulate', 'peterson', '--max-memory', '20').code).toBe(2);
  });

  it('a bound gives exit 3 and verdict incomplete', () => {
    const r = tlbcheck('check', 'philosophers', '--n', '12', '--all', '--max-states', '100', '--json');
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(doc.verdict).toBe('incomplete');
    expect(doc.bound).toBe('max-states');
  });

  it('text output names the verdict and the trace', () => {
    const r = tlbcheck('check', 'broken-mutex');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('VIOLATED: mutex');
    expect(r.stdout).toContain('trace (4 steps)');
  });

  it.each([
    [['check', 'nosuch'], 'unknown model'],
    [['check', 'philosophers', '--n', '-3'], 'at least 2'],
    [['check', 'philosophers', '--n', 'five'], 'integer'],
    [['check', 'philosophers', '--n', '100000'], 'at most'],
    [['check', 'philosophers', '--bogus'], 'unknown option'],
    [['check', 'philosophers', '--max-states', '0'], 'at least 1'],
    [['check', 'peterson', '--skip', 'nonsense'], 'unknown property'],
    [['check'], 'missing model'],
    [['frobnicate'], 'unknown command'],
    [['check', 'tlb-mini', '--variant', 'weird'], 'one of buggy, fixed'],
    [['check', 'philosophers', '--n', '3', '--n', '4'], "'--n' is given more than once"],
    [['check', 'philosophers', '--max-states=5', '--max-states', '6'], 'more than once'],
    [['check', 'peterson', '--symmetry', '--no-symmetry'], "'--symmetry' and '--no-symmetry' contradict"],
    [['check', 'peterson', '--all', '--all'], 'more than once'],
    [['check', 'peterson', '--skip', ''], 'non-empty value'],
    [['check', 'peterson', '--skip', ' , '], 'at least one item'],
    [['check', 'peterson', '--skip', 'mutex,'], 'empty item'],
    [['matrix', '--only', ''], 'non-empty value'],
    [['regen', '--only', ''], 'non-empty value'],
    [['check', 'peterson', '--help=yes'], "'--help' takes no value"],
    [['matrix', '--help=1'], "'--help' takes no value"],
    [['--version', '--frob'], "unexpected argument '--frob' after --version"],
    [['--help', '--frob'], "unexpected argument '--frob' after --help"],
    [['help', 'check', 'x'], "unexpected argument 'x' after help"],
    [['regen', '--only', 'zzzz', '--dir', '/tmp/tlbcheck-never-written'], "--only 'zzzz' matches no row"],
    [['check', 'peterson', '--spill-dir', '/nonexistent/spill'], "--spill-dir '/nonexistent/spill': no such directory"],
    [['check', 'peterson', '--spill-dir', '/etc/hostname'], "--spill-dir '/etc/hostname': not a directory"],
    [['simulate', '--row', 'arm-2.6.37/unmap_region'], '--row is an option of check only'],
  ])('bad input %j exits 2 with one line', (args, text) => {
    const r = tlbcheck(...(args as string[]));
    expect(r.code).toBe(2);
    expect(isOneLineError(r)).toBe(true);
    expect(r.stderr).toContain(text);
    expect(r.stdout).toBe('');
  });

  it('long values are cut in messages', () => {
    const long = 'x'.repeat(5000);
    for (const args of [['check', long], ['check', 'philosophers', '--n', long], ['check', 'philosophers', `--${long}`], ['check', 'peterson', '--skip', long]]) {
      const r = tlbcheck(...args);
      expect(r.code).toBe(2);
      expect(isOneLineError(r)).toBe(true);
      expect(r.stderr.length).toBeLessThan(400);
      expect(r.stderr).toMatch(/50\d\d characters/);
    }
  });

  it('list names the models with parameters and properties', () => {
    const r = tlbcheck('list', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const phil = doc.models.find((m: { id: string }) => m.id === 'philosophers');
    expect(phil.params[0]).toMatchObject({ name: 'n', default: 5 });
    expect(tlbcheck('list').stdout).toContain('no-stale-tlb-at-free');
  });

  it('no progress noise on a non-TTY stderr', () => {
    const r = tlbcheck('check', 'philosophers', '--n', '12', '--all');
    expect(r.stderr).toBe('');
  });

  it('a non-TTY stderr gets a whole progress line every 30 s of a long run, and none before', () => {
    let now = 1000;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const lines: string[] = [];
      const io = { errIsTty: false, err: (t: string) => lines.push(t) } as unknown as Io;
      const p = progressPrinter(io, 'tlb: ');
      const at = (states: number) => ({ states, transitions: 2 * states, frontier: 10, depth: 3, seconds: (now - 1000) / 1000, statesPerSecond: 1, rssBytes: 2 ** 20 });
      for (let t = 0; t <= 70_000; t += 2000) {
        now = 1000 + t;
        p.onProgress?.(at(t));
      }
      p.done();
      expect(lines.length).toBe(2);
      expect(lines[0]).toMatch(/^tlb: 30,000 states, 60,000 transitions, .*\n$/);
      expect(lines[1]).toMatch(/^tlb: 60,000 states, /);
      expect(lines.join('')).not.toContain('\r');
    } finally {
      clock.mockRestore();
    }
  });
});
