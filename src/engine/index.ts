export * from './model.ts';
export * from './result.ts';
export { check } from './check.ts';
export { bfs } from './bfs.ts';
export { dfs } from './dfs.ts';
export { replay, lastState, ReplayError, type Replayed, type ReplayedStep } from './replay.ts';
export { fingerprint, collisionProbability } from './fingerprint.ts';
