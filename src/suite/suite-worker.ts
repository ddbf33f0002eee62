/** A worker thread that runs whole suite rows (the matrix runs its rows in parallel), from the registry it was started with. */
import workerpool from 'workerpool';
import type { ModelFactory } from '../engine/model.ts';
import type { SearchOptions } from '../engine/result.ts';
import { runRow, type RowRunOptions } from './run.ts';
import type { RowOutcome, SuiteRow } from './suite.ts';

export interface RowTask {
  readonly row: SuiteRow;
  readonly options: SearchOptions;
  readonly run?: RowRunOptions;
}

/** Serves rows; started by src/engine/worker-boot.mjs with the registry (from a bundle, or through tsx). */
export function serve(findModel: (id: string) => ModelFactory | undefined): void {
  const run = (task: RowTask): RowOutcome => {
    const f = findModel(task.row.model);
    if (!f) throw new Error(`unknown model ${task.row.model}`);
    return runRow(f, task.row, task.options, task.run ?? {});
  };
  workerpool.worker({ run });
}
