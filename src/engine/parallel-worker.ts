/**
 * A worker thread of the parallel search: builds the model from its
 * registry, says it is ready, then takes part in every level it is named a
 * participant of (parallel-core.ts), until the search exits. It runs from
 * the bundle worker-boot.mjs makes of it and the model registry.
 */
import { workerData } from 'node:worker_threads';
import { SearchContext } from './context.ts';
import type { ModelFactory } from './model.ts';
import { bump, LevelSearcher } from './parallel-core.ts';
import { CTRL, type SharedSearch } from './parallel-protocol.ts';

export async function serve(findModel: (id: string) => ModelFactory | undefined): Promise<void> {
  const { shared, self } = workerData as { shared: SharedSearch; self: number };
  const c = new Int32Array(shared.ctrl);
  try {
    const factory = findModel(shared.job.model);
    if (!factory) throw new Error(`unknown model ${shared.job.model}`);
    const model = factory.create(shared.job.params);
    const o = shared.options;
    const ctx = new SearchContext(model, { symmetry: o.symmetry, all: o.all, checkDeadlock: o.checkDeadlock, skip: o.skip });
    const searcher = new LevelSearcher(model, ctx, shared, self);
    Atomics.store(c, CTRL.READY + self, 1);
    bump(c);
    let last = -1;
    for (;;) {
      if (Atomics.load(c, CTRL.EXIT) !== 0) break;
      const ev = Atomics.load(c, CTRL.EVENT);
      const level = Atomics.load(c, CTRL.LEVEL);
      if (level !== last && level >= 0 && Atomics.load(c, CTRL.PARTICIPANT + self) === level && Atomics.load(c, CTRL.READY + self) === 1) {
        last = level;
        searcher.startLevel();
        searcher.runItems();
        Atomics.add(c, CTRL.FINISHED, 1);
        bump(c);
        continue;
      }
      Atomics.wait(c, CTRL.EVENT, ev, 50);
    }
  } catch (e) {
    const text = new TextEncoder().encode(e instanceof Error ? `${e.message}` : String(e));
    new Uint8Array(shared.error).set(text.subarray(0, shared.error.byteLength - 1));
    Atomics.store(c, CTRL.ERROR, 1);
    bump(c);
  }
}
