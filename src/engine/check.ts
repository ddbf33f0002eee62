/** One entry point over the search strategies. */
import { bfs } from './bfs.ts';
import { dfs } from './dfs.ts';
import type { Model } from './model.ts';
import type { SearchOptions, SearchResult } from './result.ts';

export function check(model: Model, options: SearchOptions = {}): SearchResult {
  return (options.strategy ?? 'bfs') === 'dfs' ? dfs(model, options) : bfs(model, options);
}
