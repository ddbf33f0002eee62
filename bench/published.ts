/**
 * The peers' published figures (results.csv written by /work/shared/peers/run.sh),
 * shown instead of measurements when spin or rumur cannot be installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface PublishedRow {
  readonly tool: string;
  readonly model: string;
  readonly params: string;
  readonly variant: string;
  readonly mode: string;
  readonly verdict: string;
  readonly states: string;
  readonly transitions: string;
  readonly wallSeconds: string;
  readonly maxRssKb: string;
}

const CANDIDATES = ['/work/shared/peers/results/results.csv', fileURLToPath(new URL('./peers/published-results.csv', import.meta.url))];

let cache: { path: string; rows: PublishedRow[] } | null | undefined;

/** The first results.csv found (the shared one, else the copy in bench/peers), or null. */
export function publishedResults(): { path: string; rows: readonly PublishedRow[] } | null {
  if (cache !== undefined) return cache;
  const path = CANDIDATES.find((p) => existsSync(p));
  if (!path) return (cache = null);
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = (lines.shift() ?? '').split(',');
  const col = (name: string): number => header.indexOf(name);
  const rows = lines.map((line): PublishedRow => {
    const f = line.split(',');
    const at = (name: string): string => f[col(name)] ?? '';
    return {
      tool: at('tool'),
      model: at('model'),
      params: at('params'),
      variant: at('variant'),
      mode: at('mode'),
      verdict: at('verdict'),
      states: at('states'),
      transitions: at('transitions'),
      wallSeconds: at('wall_s'),
      maxRssKb: at('maxrss_kb'),
    };
  });
  return (cache = { path, rows });
}

/** The published run of `tool` (spin|rumur) matching the key, trying `modes` in order. */
export function findPublished(
  tool: 'spin' | 'rumur',
  key: { model: string; params: string; variant: string },
  modes: readonly string[],
): PublishedRow | undefined {
  const all = publishedResults()?.rows ?? [];
  for (const mode of modes) {
    const hit = all.find(
      (r) => r.tool.startsWith(tool) && r.model === key.model && r.params === key.params && r.variant === key.variant && r.mode === mode,
    );
    if (hit) return hit;
  }
  return undefined;
}
