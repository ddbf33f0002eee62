/** `tlbcheck worker --redis URL`: take jobs (matrix rows, simulation runs, shrinking candidates, search partitions) until stopped. */
import { MODEL_REGISTRY } from '../../../models/index.ts';
import { parseRedisUrl } from '../../cluster/options.ts';
import { parseArgs, quote, UsageError } from '../args.ts';
import { EXIT, HELP_OPTION, type Command, type Io } from '../command.ts';
import { REDIS_OPTION } from './cluster.ts';
import { plural } from '../../render/report.ts';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'take jobs from Redis (matrix rows, simulation runs, shrinking candidates, search partitions) until stopped',
  usage: 'tlbcheck worker --redis URL [--concurrency N]',
  details:
    'Start any number of workers, on any number of machines, against one Redis; then run `tlbcheck matrix`,\n' +
    '`simulate` or `check --minimize` with the same --redis URL, or `check ... --redis URL --partitions K`\n' +
    '(K workers each take one partition of the search). Each job runs on a thread of its own while this\n' +
    'process keeps its locks and heartbeat alive. Ctrl-C or SIGTERM stops the worker cleanly: its jobs stop\n' +
    'at their next tick and go back to the queue for another worker (a search partition cannot: that search\n' +
    'ends incomplete). A worker killed outright loses nothing either: its jobs are handed out again once\n' +
    'their lock expires (within about 10 s). Exit code 0 after a stop, 2 when Redis cannot be reached (at the\n' +
    'start, or at the stop: then the worker gives its jobs up after a few seconds instead of waiting for Redis).',
  options: [
    REDIS_OPTION,
    { name: 'concurrency', kind: 'int', min: 1, max: 256, default: 1, description: 'jobs run at once (one thread each)' },
    { name: 'quiet', kind: 'bool', description: 'no line per job on stderr' },
    HELP_OPTION,
  ],
  async run(argv: readonly string[], io: Io): Promise<number> {
    const { positionals, options } = parseArgs(argv, this.options);
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${quote(positionals[0]!)}`);
    const url = options.get('redis') as string | undefined;
    if (url === undefined) throw new UsageError('worker needs --redis URL (the Redis the clients use)');
    const target = parseRedisUrl(url);
    const quiet = options.get('quiet') === true;
    const { runWorker } = await import('../../cluster/worker.ts');
    const s = await runWorker({
      target,
      registry: MODEL_REGISTRY,
      concurrency: (options.get('concurrency') as number | undefined) ?? 1,
      ...(io.interrupt ? { interrupt: io.interrupt } : {}),
      log: (line) => {
        if (!quiet) io.err(`tlbcheck worker: ${line}\n`);
      },
    });
    if (s.unreachable !== undefined) {
      io.err(`tlbcheck worker: stopped after ${plural(s.jobs, 'job')}, but ${s.unreachable}\n`);
      return EXIT.usage;
    }
    if (!quiet) io.err(`tlbcheck worker: stopped after ${plural(s.jobs, 'job')}${s.handedBack > 0 ? ` (${s.handedBack} handed back to the queue)` : ''}\n`);
    return EXIT.holds;
  },
};
