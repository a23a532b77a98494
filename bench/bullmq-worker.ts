// A BullMQ worker process for the benchmark: the same handlers as Switchyard's (noop, sleep).
import { Worker, type Job } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';

const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const queue = process.env.QUEUE ?? 'bench';
const concurrency = Number(process.env.CONCURRENCY ?? 16);

async function handle(job: Job): Promise<unknown> {
  if (job.name === 'sleep') await sleep(Number(job.data?.ms ?? 0));
  return null;
}

const worker = new Worker(queue, handle, {
  connection: { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null },
  concurrency,
});

worker
  .waitUntilReady()
  .then(() => process.stdout.write(`bullmq worker ready (concurrency ${concurrency})\n`))
  .catch((err: unknown) => {
    process.stderr.write(`bullmq worker failed: ${String(err)}\n`);
    process.exit(1);
  });

process.once('SIGTERM', () => {
  void worker.close().finally(() => process.exit(0));
});
