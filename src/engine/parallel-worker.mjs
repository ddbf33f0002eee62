// A worker thread cannot start a .ts file; this bootstrap (used when no bundle could be built, see
// worker-script.ts) registers tsx and loads the TypeScript worker and the model registry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { serve } = await import('./parallel-worker.ts');
const { findModel } = await import(workerData.shared.job.registry);
await serve(findModel);
