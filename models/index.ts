/** The registry of model families the CLI can check. */
import type { ModelFactory } from '../src/engine/model.ts';
import { brokenMutexFactory } from './examples/broken-mutex.ts';
import { countersFactory } from './examples/counters.ts';
import { petersonFactory } from './examples/peterson.ts';
import { philosophersFactory } from './examples/philosophers.ts';
import { tlbMiniFactory } from './examples/tlb-mini.ts';
import { tlbFactory } from './tlb/index.ts';

export const MODELS: readonly ModelFactory[] = [petersonFactory, brokenMutexFactory, philosophersFactory, tlbMiniFactory, countersFactory, tlbFactory];

/** This module's URL: parallel workers import it to build the same model by id. */
export const MODEL_REGISTRY = import.meta.url;

export function findModel(id: string): ModelFactory | undefined {
  return MODELS.find((m) => m.id === id);
}

import type { Suite } from '../src/suite/suite.ts';
import { tlbMatrix } from './tlb/matrix.ts';
import { examplesSuite } from './examples/suite.ts';

/** Suites the `matrix` command can run (and `check --row` looks rows up in); the first is the default. */
export const SUITES: readonly { id: string; build: () => Suite }[] = [
  { id: 'tlb', build: () => tlbMatrix() },
  { id: 'examples', build: () => examplesSuite() },
];
