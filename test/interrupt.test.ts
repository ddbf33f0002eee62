/**
 * SIGINT and SIGTERM: every long command stops its searches and workers,
 * prints its partial report (valid JSON under --json) with the bound
 * `interrupted` and the command that continues, leaves no half-written file,
 * and exits 3.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tlbcheckInterrupted } from './cli-helpers.ts';

// Long enough that the signal always lands mid-search (philosophers 20 --all: tens of millions of states).
const LONG = ['check', 'philosophers', '--n', '20', '--all'];
const AFTER = 2500;

describe('interrupted runs keep their work', () => {
  it('check --json: SIGINT gives exit 3, verdict incomplete, bound interrupted, a valid document and the continue command', async () => {
    const r = await tlbcheckInterrupted('SIGINT', AFTER, ...LONG, '--json');
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ verdict: 'incomplete', bound: 'interrupted', complete: false });
    expect(doc.stats.states).toBeGreaterThan(0);
    expect(doc.continue).toBe('tlbcheck check philosophers --n 20 --all --json');
    expect(r.ms).toBeLessThan(8000); // stopped promptly (generous: the machine may be shared)
  });

  it('check (text): SIGTERM likewise, with what was covered and how to run it again', async () => {
    const r = await tlbcheckInterrupted('SIGTERM', AFTER, ...LONG);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('INCOMPLETE (the run was interrupted (SIGINT or SIGTERM); nothing is proved)');
    expect(r.stdout).toMatch(/covered [\d,]+ states to depth \d+; interrupted\. To run it again .*: tlbcheck check philosophers --n 20 --all/);
  });

  it('check --workers 2: the parallel search stops its workers too', async () => {
    const r = await tlbcheckInterrupted('SIGINT', AFTER, ...LONG, '--workers', '2', '--json');
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'incomplete', bound: 'interrupted' });
  });

  it('check --trace-out: nothing is written when interrupted before a violation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlbcheck-int-'));
    const r = await tlbcheckInterrupted('SIGINT', AFTER, 'check', 'philosophers', '--n', '20', '--all', '--skip', 'deadlock', '--trace-out', join(dir, 't.json'));
    expect(r.code).toBe(3);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('simulate: exit 3 with the runs done and the command that goes on from the next run', async () => {
    const r = await tlbcheckInterrupted('SIGINT', AFTER, 'simulate', 'peterson', '--runs', '1000000000', '--json');
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ verdict: 'incomplete', bound: 'interrupted' });
    const next = doc.simulation.nextRun as number;
    expect(next).toBeGreaterThan(0);
    expect(doc.continue).toBe(`tlbcheck simulate peterson --json --from-run ${next} --runs ${1000000000 - next}`);
  });

  it('matrix: rows done keep their verdicts, the rest are incomplete or not run, exit 3, continue --from', async () => {
    // The examples suite ends with philosophers 17 (about 7 s), where the signal lands.
    const r = await tlbcheckInterrupted('SIGINT', AFTER, 'matrix', '--suite', 'examples', '--json');
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary.mismatched).toBe(0);
    expect(doc.summary.notRun + doc.summary.incomplete).toBeGreaterThan(0);
    const firstStopped = doc.rows.find((x: { status: string }) => x.status === 'not-run' || x.status === 'incomplete');
    expect(doc.continue).toBe(`tlbcheck matrix --suite examples --json --from ${firstStopped.id}`);
    expect(doc.rows.filter((x: { status: string }) => x.status === 'ok').length).toBeGreaterThan(0);
  });

  it('regen: files written are whole, the rest untouched, exit 3, continue --from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlbcheck-regen-'));
    // Early: any time before the end stops it (even before the first row: then nothing is written).
    const r = await tlbcheckInterrupted('SIGINT', 1000, 'regen', '--dir', dir);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/stopped \(the run was interrupted \(SIGINT or SIGTERM\)\) before \S+, whose files were not touched/);
    expect(r.stdout).toMatch(/to go on: tlbcheck regen --dir \S+ --from \S+/);
    const files = readdirSync(dir);
    expect(files.every((f) => f.endsWith('.json') || f.endsWith('.txt'))).toBe(true); // no temporary files
    for (const f of files.filter((x) => x.endsWith('.json'))) {
      expect(() => JSON.parse(readFileSync(join(dir, f), 'utf8'))).not.toThrow();
      expect(existsSync(join(dir, f.replace(/\.json$/, '.txt')))).toBe(true);
    }
  });

  it('a second signal within a second is the same interrupt (npm exec forwards Ctrl-C a second time)', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const bin = fileURLToPath(new URL('../bin/tlbcheck.mjs', import.meta.url));
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, ...LONG, '--json']);
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      setTimeout(() => child.kill('SIGINT'), AFTER);
      setTimeout(() => child.kill('SIGINT'), AFTER + 50);
      child.on('close', (c) => resolve({ code: c, out }));
    });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out).bound).toBe('interrupted');
  });
});
