/** Output paths are checked before any search starts, and written atomically. */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOneLineError, tlbcheck } from './cli-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'tlbcheck-outputs-'));

describe('output paths', () => {
  it.each([
    [['check', 'broken-mutex', '--trace-out', join(dir, 'no/such/dir/t.json')], 'does not exist'],
    [['check', 'broken-mutex', '--trace-out', join(dir, 'same.json'), '--html', join(dir, 'same.json')], 'the same file as --trace-out'],
    [['check', 'broken-mutex', '--html', join(dir, '.', 'x.html'), '--itf', join(dir, 'x.html')], 'the same file as --html'],
    [['check', 'broken-mutex', '--html', dir], 'is a directory'],
    [['check', 'broken-mutex', '--itf', '/dev/null/x'], 'not a directory'],
    [['simulate', 'broken-mutex', '--trace-out', dir], 'is a directory'],
    [['regen', '--only', 'arm-2.6.37/unmap_region', '--dir', join(dir, 'a-file')], 'not a directory'],
  ])('%j exits 2 with one line before searching', (args, text) => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const r = tlbcheck(...(args as string[]));
    expect(r.code).toBe(2);
    expect(isOneLineError(r)).toBe(true);
    expect(r.stderr).toContain(text);
    expect(r.stdout).toBe('');
  });

  it('replay --html may not overwrite the trace being replayed', () => {
    const t = join(dir, 'trace.json');
    expect(tlbcheck('check', 'broken-mutex', '--trace-out', t).code).toBe(1);
    const r = tlbcheck('replay', t, '--html', t);
    expect(r.code).toBe(2);
    expect(isOneLineError(r)).toBe(true);
    expect(r.stderr).toContain('the same file as an input file');
  });

  it('writes leave no temporary files behind', () => {
    const d = mkdtempSync(join(tmpdir(), 'tlbcheck-atomic-'));
    expect(tlbcheck('check', 'broken-mutex', '--trace-out', join(d, 't.json'), '--html', join(d, 't.html'), '--itf', join(d, 't.itf')).code).toBe(1);
    expect(readdirSync(d).sort()).toEqual(['t.html', 't.itf', 't.json']);
  });
});
