/**
 * How a worker thread starts, in plain JavaScript: it runs its TypeScript
 * entry and the model registry from one bundle (esbuild), with no
 * TypeScript loader. Registering tsx in a worker costs about 0.7 s and
 * 30-50 MB (its hooks run on a loader thread of their own, a second
 * isolate); a bundled worker starts in about 0.1 s.
 *
 * workerData.boot = { entry, registry } (file URLs): the entry's module
 * exports `serve(findModel)`, the registry's `findModel`. The bundle is
 * cached in the OS temporary directory, keyed by its entry and registry,
 * and reused while every input file keeps its size and modification time;
 * the worker builds it itself on a miss (its own event loop, so a busy
 * main thread never delays it). `import.meta.url` keeps each source file's
 * own URL (a registry reads data files next to its modules). Any failure
 * falls back to tsx: the bundle makes start-up fast, it is never required.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';

const CACHE = join(tmpdir(), 'tlbcheck-workers');
/** The generated entry's name (it has no file). */
const ENTRY_NAME = '<tlbcheck worker entry>';

/** @param {{ entry: string, registry: string }} b */
function cacheFiles(b) {
  const key = createHash('sha256').update(`${fileURLToPath(b.entry)}\n${fileURLToPath(b.registry)}\n${process.version}`).digest('hex').slice(0, 16);
  return { script: join(CACHE, `${key}.mjs`), inputs: join(CACHE, `${key}.json`) };
}

/** The cached bundle's path when every input is unchanged, else undefined. @param {{ entry: string, registry: string }} b */
export function cachedBundle(b) {
  const f = cacheFiles(b);
  try {
    /** @type {{ path: string, size: number, mtimeMs: number }[]} */
    const inputs = JSON.parse(readFileSync(f.inputs, 'utf8'));
    for (const i of inputs) {
      const s = statSync(i.path);
      if (s.size !== i.size || s.mtimeMs !== i.mtimeMs) return undefined;
    }
    statSync(f.script);
    return f.script;
  } catch {
    return undefined;
  }
}

/** Builds the bundle into the cache; returns its path. @param {{ entry: string, registry: string }} b */
export async function buildBundle(b) {
  const esbuild = await import('esbuild');
  const cwd = process.cwd();
  const r = await esbuild.build({
    stdin: {
      contents: `import { findModel } from ${JSON.stringify(fileURLToPath(b.registry))};\nimport { serve } from ${JSON.stringify(fileURLToPath(b.entry))};\nawait serve(findModel);\n`,
      resolveDir: cwd,
      loader: 'ts',
      sourcefile: ENTRY_NAME,
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    write: false,
    metafile: true,
    logLevel: 'silent',
    // CommonJS packages bundled into an ES module still call require() for Node's built-ins.
    banner: { js: "import { createRequire as __tlbcheckRequire } from 'node:module'; const require = __tlbcheckRequire(import.meta.url);" },
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
  const out = r.outputFiles?.[0];
  if (!out) throw new Error('esbuild wrote no bundle');
  // The inputs, and this file (a change to how it bundles makes a new bundle too).
  const inputs = [...Object.keys(r.metafile.inputs).filter((p) => p !== ENTRY_NAME).map((p) => join(cwd, p)), fileURLToPath(import.meta.url)].map((path) => {
    const s = statSync(path);
    return { path, size: s.size, mtimeMs: s.mtimeMs };
  });
  const f = cacheFiles(b);
  mkdirSync(CACHE, { recursive: true });
  // Written aside, then renamed: a concurrent run reads the old bundle or the new one, never half of one.
  // The script goes first: inputs that still match their files vouch for either.
  const tmp = `.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(f.script + tmp, out.contents);
  renameSync(f.script + tmp, f.script);
  writeFileSync(f.inputs + tmp, JSON.stringify(inputs));
  renameSync(f.inputs + tmp, f.inputs);
  return f.script;
}

/** The bundle's path (cached or built now), or undefined when it cannot be built. @param {{ entry: string, registry: string }} b */
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
  /** @type {{ entry: string, registry: string }} */
  const b = workerData.boot;
  const file = await bundle(b);
  if (file) {
    await import(pathToFileURL(file).href);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    const { serve } = await import(b.entry);
    const { findModel } = await import(b.registry);
    await serve(findModel);
  }
}
