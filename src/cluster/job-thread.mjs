// workerpool cannot start a .ts file; this bootstrap registers tsx and loads the TypeScript job thread.
import { register } from 'tsx/esm/api';

register();
await import('./job-thread.ts');
