import { createHash } from 'node:crypto';
import { SCRIPT_FILES, scriptSource, type ScriptName } from '@switchyard/core';
import { BullmqSystem } from '../systems/bullmq-system';
import { SwitchyardSystem } from '../systems/switchyard-system';
import type { SystemUnderTest } from '../systems/system-under-test';
import type { BenchPlan } from '../support/bench-plan';
import { costPerTask, measure } from '../support/measure';
import { memoryOf } from '../support/proc-usage';
import { RedisInstance } from '../support/redis-instance';
import type { Results } from '../support/results';
import { percentile } from '../support/stats';

export const CASE_NAMES = {
  1: '1 no-op, batches via client',
  2: '2 no-op, batches via HTTP',
  '2s': '2 single submits',
  3: '3 latency, one at a time',
  4: '4 10 ms handler, 2×50 slots',
  5: '5 no-op, AOF everysec',
  6: '6 scheduling',
  7: '7 memory',
} as const;

const MB = 1024 * 1024;
const log = (line: string): void => void process.stdout.write(`  ${line}\n`);

/** Both systems, each on its own redis-server started with the same settings. */
interface Pair {
  sy: SwitchyardSystem;
  bq: BullmqSystem;
  /** Alternates which system goes first, so machine noise does not favour one. */
  order(rep: number): SystemUnderTest[];
}

async function startPair(plan: BenchPlan): Promise<Pair> {
  const [syRedis, bqRedis] = await Promise.all([RedisInstance.start(), RedisInstance.start()]);
  const opts = plan.profileDir === undefined ? {} : { profileDir: plan.profileDir };
  const sy = await SwitchyardSystem.start(syRedis, opts);
  const bq = await BullmqSystem.start(bqRedis, opts);
  return { sy, bq, order: (rep) => (rep % 2 === 0 ? [sy, bq] : [bq, sy]) };
}

async function closePair(pair: Pair): Promise<void> {
  await Promise.all([pair.sy.close(), pair.bq.close()]);
  await Promise.all([pair.sy.redis.stop(), pair.bq.redis.stop()]);
}

async function throughput(
  plan: BenchPlan,
  results: Results,
  pair: Pair,
  name: string,
  kind: 'noop' | 'sleep',
  count: number,
): Promise<void> {
  for (let rep = 0; rep < plan.reps; rep++) {
    for (const system of pair.order(rep)) {
      if (process.env.BENCH_SLOWLOG) await slowlogStart(system);
      const f = await measure(system, count, () => system.runBatch(kind, count, plan.batchSize));
      if (process.env.BENCH_SLOWLOG) log(`  per script ${await slowlogSummary(system)}`);
      const rate = (count / f.elapsedMs) * 1000;
      results.add(name, 'tasks / s', system.name, rate, { better: 'higher' });
      results.addAll(name, system.name, costPerTask(f));
      log(`${name} rep ${rep + 1} ${system.name}: ${rate.toFixed(0)} tasks/s`);
      if (process.env.BENCH_VERBOSE) {
        log(`  calls ${JSON.stringify(f.redis.byCommand)}`);
        log(`  usec  ${JSON.stringify(f.redis.usecByCommand)}`);
      }
    }
  }
}

/** BENCH_SLOWLOG=1: every command enters SLOWLOG, so a run's time splits per script. */
async function slowlogStart(system: SystemUnderTest): Promise<void> {
  const c = system.redis.client;
  await c.config('SET', 'slowlog-log-slower-than', '0');
  await c.config('SET', 'slowlog-max-len', '1000000');
  await c.slowlog('RESET');
}

async function slowlogSummary(system: SystemUnderTest): Promise<string> {
  const c = system.redis.client;
  const entries = (await c.slowlog('GET', -1)) as [number, number, number, string[]][];
  await c.config('SET', 'slowlog-log-slower-than', '10000');
  const names = new Map<string, string>();
  for (const name of Object.keys(SCRIPT_FILES) as ScriptName[]) {
    names.set(createHash('sha1').update(scriptSource(name)).digest('hex'), name);
  }
  const by = new Map<string, { n: number; us: number; args: number }>();
  for (const [, , us, args] of entries) {
    const cmd = String(args[0]).toLowerCase();
    // FCALL names the function: sy_<library hash>_<script>
    const key =
      cmd === 'evalsha'
        ? (names.get(String(args[1])) ?? String(args[1]).slice(0, 8))
        : cmd === 'fcall'
          ? String(args[1]).replace(/^sy_[0-9a-f]+_/, '')
          : cmd;
    const row = by.get(key) ?? { n: 0, us: 0, args: 0 };
    row.n++;
    row.us += us;
    row.args += args.length;
    by.set(key, row);
  }
  return [...by.entries()]
    .sort((a, b) => b[1].us - a[1].us)
    .map(
      ([k, r]) =>
        `${k}: ${r.n} calls ${r.us} us (${(r.us / r.n).toFixed(0)}/call, ${(r.args / r.n).toFixed(0)} args)`,
    )
    .join('; ');
}

/** No-op tasks each system runs before the first measured run of cases 1, 2, 3 and 5 (at most a case's own count). */
const WARM_UP_TASKS = 5_000;
/** Tasks through `POST /tasks/batch` before case 2 measures it (500 left its first repetition cold). */
const HTTP_WARM_UP_TASKS = 5_000;
/** How long the single-submit paths run before case 2 measures them. */
const HTTP_WARM_UP_MS = 1_000;

/** Cases 1, 2, 3 and 5 on 2 workers × 16 slots, then case 4 on a fresh pair with 2 workers × 50 slots. */
export async function runWorkerCases(plan: BenchPlan, results: Results): Promise<void> {
  const want = (n: number): boolean => plan.cases.has(n);
  if (![1, 2, 3, 5, 7].some(want)) {
    if (want(4)) await sleepCase(plan, results);
    return;
  }
  const pair = await startPair(plan);
  try {
    await Promise.all([pair.sy.startWorkers(2, 16), pair.bq.startWorkers(2, 16)]);
    // warm up: in the first repetition after 500 tasks both systems were still slower (JIT)
    for (const system of [pair.sy, pair.bq])
      await system.runBatch('noop', Math.min(WARM_UP_TASKS, plan.noopTasks), plan.batchSize);
    if (want(1) || want(7)) {
      await throughput(plan, results, pair, CASE_NAMES[1], 'noop', plan.noopTasks);
      for (const system of [pair.sy, pair.bq]) {
        const mem = system.workerPids().map(memoryOf);
        const rss = mem.reduce((s, m) => s + m.rss, 0) / mem.length / MB;
        const peak = mem.reduce((s, m) => s + m.peakRss, 0) / mem.length / MB;
        results.add(CASE_NAMES[7], 'worker RSS MB (after case 1)', system.name, rss);
        results.add(CASE_NAMES[7], 'worker peak RSS MB', system.name, peak);
      }
    }
    if (want(2)) await httpCases(plan, results, pair);
    if (want(3)) await latencyCase(plan, results, pair);
    if (want(5)) {
      for (const system of [pair.sy, pair.bq]) {
        await system.redis.client.config('SET', 'appendonly', 'yes');
        await system.redis.waitAofIdle();
      }
      await throughput(plan, results, pair, CASE_NAMES[5], 'noop', plan.noopTasks);
      for (const system of [pair.sy, pair.bq])
        await system.redis.client.config('SET', 'appendonly', 'no');
    }
  } finally {
    await closePair(pair);
  }
  if (want(4)) await sleepCase(plan, results);
}

/** Case 4 on a fresh pair: a stopped worker stays registered until failure detection removes it. */
async function sleepCase(plan: BenchPlan, results: Results): Promise<void> {
  const pair = await startPair(plan);
  try {
    await Promise.all([pair.sy.startWorkers(2, 50), pair.bq.startWorkers(2, 50)]);
    // warm up as case 1 does: after 200 tasks a fresh worker was still compiling its hot paths
    // through the measured run (V8's optimizing threads were ~40% of its CPU per task there),
    // so the run measured JIT warm-up more than the per-task cost
    for (const system of [pair.sy, pair.bq])
      await system.runBatch('sleep', Math.min(WARM_UP_TASKS, plan.sleepTasks), plan.batchSize);
    const idealRate = (2 * 50 * 1000) / 10;
    for (let rep = 0; rep < plan.reps; rep++) {
      for (const system of pair.order(rep)) {
        const n = plan.sleepTasks;
        const f = await measure(system, n, () => system.runBatch('sleep', n, plan.batchSize));
        const rate = (n / f.elapsedMs) * 1000;
        results.add(CASE_NAMES[4], 'tasks / s', system.name, rate, { better: 'higher' });
        results.add(CASE_NAMES[4], 'share of ideal rate', system.name, rate / idealRate, {
          better: 'higher',
        });
        results.addAll(CASE_NAMES[4], system.name, costPerTask(f));
        log(
          `${CASE_NAMES[4]} rep ${rep + 1} ${system.name}: ${((rate / idealRate) * 100).toFixed(1)}% of ideal`,
        );
      }
    }
  } finally {
    await closePair(pair);
  }
}

async function httpCases(plan: BenchPlan, results: Results, pair: Pair): Promise<void> {
  const name = CASE_NAMES[2];
  // warm the paths measured here as case 1's are warmed: the shared warm-up goes through the
  // client, so the dispatcher's HTTP routes (body parsing, validation, the submit store's
  // argument building) met their first requests in the first repetition, and BullMQ's
  // counterparts (addBulk, Queue.add) were already warm
  await pair.sy.runHttpBatch('noop', Math.min(HTTP_WARM_UP_TASKS, plan.noopTasks), plan.batchSize);
  for (const system of [pair.sy, pair.bq]) {
    await system.submitSingles(plan.singleSubmitConnections, HTTP_WARM_UP_MS);
    await system.drain();
  }
  for (let rep = 0; rep < plan.reps; rep++) {
    const n = plan.noopTasks;
    const f = await measure(pair.sy, n, () => pair.sy.runHttpBatch('noop', n, plan.batchSize));
    const rate = (n / f.elapsedMs) * 1000;
    results.add(name, 'tasks / s', 'switchyard', rate, {
      better: 'higher',
      note: 'BullMQ: addBulk, no HTTP API',
    });
    results.addAll(name, 'switchyard', costPerTask(f));
    // BullMQ has no HTTP API: its counterpart is its own batch path, measured again here
    const g = await measure(pair.bq, n, () => pair.bq.runBatch('noop', n, plan.batchSize));
    results.add(name, 'tasks / s', 'bullmq', (n / g.elapsedMs) * 1000);
    results.addAll(name, 'bullmq', costPerTask(g));
    log(`${name} rep ${rep + 1}: ${rate.toFixed(0)} tasks/s over HTTP`);
  }
  const single = CASE_NAMES['2s'];
  for (let rep = 0; rep < plan.reps; rep++) {
    for (const system of pair.order(rep)) {
      const accepted = await system.submitSingles(
        plan.singleSubmitConnections,
        plan.singleSubmitMs,
      );
      const rate = (accepted / plan.singleSubmitMs) * 1000;
      results.add(single, 'submits / s', system.name, rate, {
        better: 'higher',
        note: 'SY: POST /tasks under autocannon; BQ: Queue.add; 10 at a time',
      });
      log(`${single} rep ${rep + 1} ${system.name}: ${rate.toFixed(0)} submits/s`);
      await system.drain();
    }
  }
}

async function latencyCase(plan: BenchPlan, results: Results, pair: Pair): Promise<void> {
  const name = CASE_NAMES[3];
  for (let rep = 0; rep < plan.reps; rep++) {
    for (const system of pair.order(rep)) {
      const samples: number[] = [];
      const f = await measure(system, plan.latencyTasks, async () => {
        for (let i = 0; i < plan.latencyTasks; i++) {
          const t0 = performance.now();
          await system.runOne('noop');
          samples.push(performance.now() - t0);
        }
      });
      results.add(name, 'p50 ms', system.name, percentile(samples, 50));
      results.add(name, 'p99 ms', system.name, percentile(samples, 99));
      results.addAll(name, system.name, costPerTask(f));
      log(
        `${name} rep ${rep + 1} ${system.name}: p50 ${percentile(samples, 50).toFixed(2)} ms, p99 ${percentile(samples, 99).toFixed(2)} ms`,
      );
    }
  }
}
