/** worker-boot.mjs: a worker's TypeScript entry and registry run from one cached bundle, rebuilt when a source changes. */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';

const BOOT = new URL('../src/engine/worker-boot.mjs', import.meta.url);
const boot = (await import(BOOT.href)) as {
  cachedBundle(b: { entry: string; registry: string }): string | undefined;
  bundle(b: { entry: string; registry: string }): Promise<string | undefined>;
};

const dir = mkdtempSync(join(tmpdir(), 'tlbcheck-boot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
const entry = join(dir, 'entry.ts');
const registry = join(dir, 'registry.ts');
const data = join(dir, 'data.ts');
writeFileSync(entry, `import { parentPort } from 'node:worker_threads';\nexport async function serve(findModel: (id: string) => unknown): Promise<void> {\n  parentPort!.postMessage({ model: findModel('m'), url: import.meta.url });\n}\n`);
writeFileSync(data, `export const VERSION: number = 1;\n`);
writeFileSync(registry, `import { VERSION } from './data.ts';\nexport function findModel(id: string): string { return id + ':' + VERSION; }\n`);
const b = { entry: pathToFileURL(entry).href, registry: pathToFileURL(registry).href };

function run(): Promise<{ model: string; url: string }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(BOOT, { workerData: { boot: b } });
    w.once('message', (m: { model: string; url: string }) => {
      void w.terminate();
      resolve(m);
    });
    w.once('error', reject);
  });
}

describe('worker boot (bundled worker entries)', () => {
  it('runs the entry with the registry from a bundle, which keeps each file its own import.meta.url', async () => {
    expect(boot.cachedBundle(b)).toBeUndefined();
    const m = await run();
    expect(m.model).toBe('m:1');
    expect(m.url).toBe(pathToFileURL(entry).href);
    const file = boot.cachedBundle(b);
    expect(file).toBeDefined();
    expect(await boot.bundle(b)).toBe(file);
  });

  it('rebuilds when an input file changes (size or modification time)', async () => {
    writeFileSync(data, `export const VERSION: number = 22;\n`);
    const later = new Date(Date.now() + 5000);
    utimesSync(data, later, later);
    expect(boot.cachedBundle(b)).toBeUndefined();
    expect((await run()).model).toBe('m:22');
    expect(boot.cachedBundle(b)).toBeDefined();
  });

  it('falls back to tsx when no bundle is wanted', async () => {
    process.env.TLBCHECK_WORKER_BUNDLE = '0';
    try {
      expect(await boot.bundle(b)).toBeUndefined();
      const m = await run();
      expect(m.model).toBe('m:22');
      expect(m.url).toBe(pathToFileURL(entry).href);
    } finally {
      delete process.env.TLBCHECK_WORKER_BUNDLE;
    }
  });
});
