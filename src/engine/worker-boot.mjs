/**
 * How a worker thread starts, in plain JavaScript: it runs its TypeScript
 * entry (and the model registry, when it has one) from one bundle
 * (esbuild), with no TypeScript loader. Registering tsx in a worker costs
 * about 0.7 s and 30-50 MB (its hooks run on a loader thread of their own,
 * a second isolate); a bundled worker starts in about 0.1-0.2 s. The CLI's
 * own thread (src/cli/launch.mjs), the parallel search's workers, the
 * matrix's row threads and the cluster worker's job threads start this way.
 *
 * workerData.boot = { entry, registry? } (file URLs): the entry's module
 * exports `serve(findModel)` (`serve()` without a registry), the
 * registry's `findModel`. Packages stay outside the bundle, so the bundle
 * is cached inside the project (node_modules/.cache/tlbcheck-workers, where
 * they resolve), keyed by entry and registry, and reused while every input
 * file keeps its size and modification time; the thread builds it itself
 * on a miss (its own event loop, so a busy main thread never delays it).
 * `import.meta.url` keeps each source file's own URL (a registry reads data
 * files next to its modules, the CLI finds its workers' files). Any failure
 * falls back to tsx: the bundle makes start-up fast, it is never required.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';

const CACHE = fileURLToPath(new URL('../../node_modules/.cache/tlbcheck-workers/', import.meta.url));
/** The generated entry's name (it has no file). */
const ENTRY_NAME = '<tlbcheck worker entry>';

/** @param {{ entry: string, registry?: string }} b */
function cacheFiles(b) {
  const key = createHash('sha256').update(`${fileURLToPath(b.entry)}\n${b.registry ? fileURLToPath(b.registry) : '-'}\n${process.version}`).digest('hex').slice(0, 16);
  return { key, record: join(CACHE, `${key}.json`) };
}

/** The cached bundle's path when every input is unchanged, else undefined. @param {{ entry: string, registry?: string }} b */
export function cachedBundle(b) {
  const f = cacheFiles(b);
  try {
    /** @type {{ dir: string, inputs: { path: string, size: number, mtimeMs: number }[] }} */
    const rec = JSON.parse(readFileSync(f.record, 'utf8'));
    for (const i of rec.inputs) {
      const s = statSync(i.path);
      if (s.size !== i.size || s.mtimeMs !== i.mtimeMs) return undefined;
    }
    const script = join(CACHE, rec.dir, 'entry.mjs');
    statSync(script);
    return script;
  } catch {
    return undefined;
  }
}

/** Builds the bundle into the cache; returns its path. @param {{ entry: string, registry?: string }} b */
export async function buildBundle(b) {
  const esbuild = await import('esbuild');
  const cwd = process.cwd();
  const f = cacheFiles(b);
  // A fresh directory each build: nobody reads it until the record names it.
  const dir = `${f.key}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const r = await esbuild.build({
    stdin: {
      contents: b.registry
        ? `import { findModel } from ${JSON.stringify(fileURLToPath(b.registry))};\nimport { serve } from ${JSON.stringify(fileURLToPath(b.entry))};\nawait serve(findModel);\n`
        : `import { serve } from ${JSON.stringify(fileURLToPath(b.entry))};\nawait serve();\n`,
      resolveDir: cwd,
      loader: 'ts',
      sourcefile: ENTRY_NAME,
    },
    bundle: true,
    // Packages are imported from node_modules at run time (the bundle sits inside the project).
    packages: 'external',
    platform: 'node',
    format: 'esm',
    // Code reached only by a dynamic import (the cluster's, with BullMQ and ioredis) stays in chunks loaded on demand.
    splitting: true,
    outdir: join(CACHE, dir),
    entryNames: 'entry',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    target: `node${process.versions.node.split('.')[0]}`,
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'own-import-meta-url',
        setup(build) {
          build.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (a) => {
            if (a.path.includes('/node_modules/')) return undefined;
            const text = await readFile(a.path, 'utf8');
            if (!text.includes('import.meta.url')) return undefined;
            return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(a.path).href)), loader: /\.[cm]?ts$/.test(a.path) ? 'ts' : 'js' };
          });
        },
      },
    ],
  });
  // The inputs, and this file (a change to how it bundles makes a new bundle too).
  const inputs = [...Object.keys(r.metafile.inputs).filter((p) => p !== ENTRY_NAME).map((p) => join(cwd, p)), fileURLToPath(import.meta.url)].map((path) => {
    const s = statSync(path);
    return { path, size: s.size, mtimeMs: s.mtimeMs };
  });
  // The record is written aside, then renamed: a concurrent run reads the old one or the new one.
  const tmp = `${f.record}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, JSON.stringify({ dir, inputs }));
  renameSync(tmp, f.record);
  // Earlier builds of this entry, once no run can still be loading their chunks.
  for (const d of readdirSync(CACHE)) {
    if (!d.startsWith(`${f.key}-`) || d === dir) continue;
    try {
      if (Date.now() - statSync(join(CACHE, d)).mtimeMs > 3_600_000) rmSync(join(CACHE, d), { recursive: true, force: true });
    } catch {
      // another run removed it
    }
  }
  return join(CACHE, dir, 'entry.mjs');
}

/** The bundle's path (cached or built now), or undefined when it cannot be built. @param {{ entry: string, registry?: string }} b */
export async function bundle(b) {
  if (process.env.TLBCHECK_WORKER_BUNDLE === '0') return undefined;
  try {
    return cachedBundle(b) ?? (await buildBundle(b));
  } catch (e) {
    if (process.env.TLBCHECK_DEBUG) console.error(e);
    return undefined;
  }
}

if (workerData?.boot) {
  /** @type {{ entry: string, registry?: string }} */
  const b = workerData.boot;
  const file = await bundle(b);
  if (file) {
    await import(pathToFileURL(file).href);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    const { serve } = await import(b.entry);
    if (b.registry) await serve((await import(b.registry)).findModel);
    else await serve();
  }
}
