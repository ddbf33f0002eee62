/**
 * Mutation testing as a habit: applies each single fault listed in
 * scripts/mutants.json to a temporary copy of the repository and runs what CI
 * runs there (the matrix, the replay of the committed counterexamples, then
 * `vitest run --bail=1`, the mutant's own quick tests first), reporting which
 * check killed it. The goal is every non-equivalent mutant killed.
 *
 *   npm run mutate                      # every mutant
 *   npm run mutate -- --only id,id      # some of them
 *   npm run mutate -- --area model      # engine, cli or model
 *   npm run mutate -- --json            # a JSON report on stdout
 *
 * Why not StrykerJS: its current release (10) needs Node 22+ and does not
 * start on this project's Node 20. Beyond that, it generates its own (thousands of) operator mutants of
 * src/ and runs them through the vitest runner in-process, while this
 * project's checks are largely the CLI run as child processes (the matrix, the
 * replays, the exit-code tests), which Stryker's mutant switching does not
 * reach; at about 3 minutes per full test run on 2 cores, its mutant count is
 * also out of reach here. A short list of plausible, reviewed faults, kept as
 * data next to the code, is what the model engineer can extend.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Mutant {
  readonly id: string;
  readonly area: 'engine' | 'cli' | 'model';
  readonly file: string;
  readonly find: string;
  readonly replace: string;
  readonly description: string;
  readonly tests?: readonly string[];
}

interface Outcome {
  readonly id: string;
  readonly area: string;
  readonly description: string;
  /** killed (by `by`), survived, or stale (its text is no longer in the file: update the list). */
  readonly status: 'killed' | 'survived' | 'stale';
  readonly by?: string;
  readonly seconds: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const json = args.includes('--json');
const only = opt('only')?.split(',');
const area = opt('area');
const timeoutMs = Number(opt('timeout') ?? 900) * 1000;
const log = (t: string): void => {
  process.stderr.write(`${t}\n`);
};

const list = (JSON.parse(readFileSync(join(ROOT, 'scripts/mutants.json'), 'utf8')) as { mutants: Mutant[] }).mutants.filter(
  (m) => (!only || only.includes(m.id)) && (!area || m.area === area),
);
if (list.length === 0) {
  log('mutate: no mutant selected');
  process.exit(2);
}

// The copy: every tracked file (git ls-files), node_modules linked, not copied.
const work = mkdtempSync(join(tmpdir(), 'tlbcheck-mutate-'));
const files = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
for (const f of files) {
  if (!existsSync(join(ROOT, f))) continue;
  mkdirSync(dirname(join(work, f)), { recursive: true });
  cpSync(join(ROOT, f), join(work, f));
}
symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
log(`mutate: ${list.length} mutants in ${work}`);

/** Runs a command in the copy; the check kills the mutant when it fails or runs out of time. */
function fails(cmd: string, argv: string[]): string | undefined {
  const r = spawnSync(cmd, argv, { cwd: work, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, FORCE_COLOR: '0', CI: 'true' }, maxBuffer: 64 * 2 ** 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return 'timeout';
  if (r.status === 0) return undefined;
  const out = `${r.stdout}\n${r.stderr}`;
  // Name the first failing test, or the first mismatching row, when there is one.
  const test = /FAIL\s+(\S+\.test\.ts)\s*>\s*([^\n]+)/.exec(out);
  if (test) return `${test[1]} > ${test[2]!.replace(/\s+/g, ' ').trim().slice(0, 100)}`;
  const row = /^(\S+.*MISMATCH: .*)$/m.exec(out);
  if (row) return row[1]!.replace(/\s+/g, ' ').slice(0, 120);
  return `exit ${r.status ?? r.signal}`;
}

/** vitest with a JSON report, to name the first failing test. */
function testsFail(files: readonly string[]): string | undefined {
  const report = join(work, '.mutate-report.json');
  rmSync(report, { force: true });
  const why = fails(node, [join(work, 'node_modules/vitest/vitest.mjs'), 'run', '--bail=1', '--reporter=json', `--outputFile=${report}`, ...files]);
  if (!why || !existsSync(report)) return why;
  try {
    const r = JSON.parse(readFileSync(report, 'utf8')) as { testResults: { name: string; assertionResults: { status: string; fullName: string }[] }[] };
    for (const f of r.testResults) {
      const t = f.assertionResults.find((a) => a.status === 'failed');
      if (t) return `${f.name.slice(work.length + 1)} > ${t.fullName.slice(0, 110)}`;
    }
  } catch {
    // fall through: the exit status says it failed
  }
  return why;
}

const node = process.execPath;
const checks: [string, (m: Mutant) => string | undefined][] = [
  ['tsc', () => fails(node, [join(work, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', work])],
  ['matrix', () => fails(node, ['bin/tlbcheck.mjs', 'matrix'])],
  ['replay', () => fails('bash', ['-c', 'node bin/tlbcheck.mjs replay --expect-violation counterexamples/*.json > /dev/null'])],
  ['tests', (m) => (m.tests && m.tests.length > 0 ? testsFail(m.tests) : undefined)],
  ['tests', () => testsFail([])],
];

const outcomes: Outcome[] = [];
for (const m of list) {
  const t0 = Date.now();
  const path = join(work, m.file);
  const original = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const count = original.split(m.find).length - 1;
  if (count !== 1) {
    outcomes.push({ id: m.id, area: m.area, description: m.description, status: 'stale', by: `the text occurs ${count} times in ${m.file}`, seconds: 0 });
    log(`  ${m.id}: STALE (the text occurs ${count} times in ${m.file})`);
    continue;
  }
  writeFileSync(path, original.replace(m.find, m.replace));
  let by: string | undefined;
  try {
    for (const [name, run] of checks) {
      const why = run(m);
      if (why) {
        by = `${name}: ${why}`;
        break;
      }
    }
  } finally {
    writeFileSync(path, original);
  }
  const seconds = Math.round((Date.now() - t0) / 1000);
  outcomes.push({ id: m.id, area: m.area, description: m.description, status: by ? 'killed' : 'survived', ...(by ? { by } : {}), seconds });
  log(`  ${m.id}: ${by ? `killed by ${by}` : 'SURVIVED'} (${seconds} s)`);
}
rmSync(work, { recursive: true, force: true });

const live = outcomes.filter((o) => o.status !== 'stale');
const killed = live.filter((o) => o.status === 'killed').length;
const rate = live.length > 0 ? killed / live.length : 1;
if (json) {
  process.stdout.write(`${JSON.stringify({ mutants: outcomes, killed, survived: live.length - killed, stale: outcomes.length - live.length, killRate: Math.round(rate * 1000) / 1000 }, null, 2)}\n`);
} else {
  const w = Math.max(...outcomes.map((o) => o.id.length));
  for (const o of outcomes) process.stdout.write(`${o.id.padEnd(w)}  ${o.area.padEnd(6)}  ${o.status.padEnd(8)}  ${o.by ?? o.description}\n`);
  process.stdout.write(`\n${killed} of ${live.length} mutants killed (${(rate * 100).toFixed(0)}%)${outcomes.length > live.length ? `; ${outcomes.length - live.length} stale` : ''}\n`);
}
process.exitCode = killed === live.length ? 0 : 1;
