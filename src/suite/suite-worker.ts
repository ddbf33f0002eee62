/** A worker thread that runs whole suite rows (the matrix runs its rows in parallel). */
import workerpool from 'workerpool';
import type { ModelFactory } from '../engine/model.ts';
import type { SearchOptions } from '../engine/result.ts';
import { runRow, type RowRunOptions } from './run.ts';
import type { RowOutcome, SuiteRow } from './suite.ts';

export interface RowTask {
  readonly registry: string;
  readonly row: SuiteRow;
  readonly options: SearchOptions;
  readonly run?: RowRunOptions;
}

async function run(task: RowTask): Promise<RowOutcome> {
  const mod = (await import(task.registry)) as { findModel(id: string): ModelFactory | undefined };
  const f = mod.findModel(task.row.model);
  if (!f) throw new Error(`unknown model ${task.row.model}`);
  return runRow(f, task.row, task.options, task.run ?? {});
}

workerpool.worker({ run });
