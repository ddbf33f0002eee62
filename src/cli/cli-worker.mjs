// The CLI runs on a worker thread so that the main thread stays free to receive SIGINT/SIGTERM;
// this bootstrap registers tsx and loads the TypeScript side.
import { register } from 'tsx/esm/api';

register();
await import('./cli-worker.ts');
