// A worker thread cannot start a .ts file; this bootstrap registers tsx and loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./parallel-worker.ts');
