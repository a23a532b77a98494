import {
  Keyspace,
  loadConfig,
  NodeStore,
  SwitchyardClient,
  type TaskInput,
} from '@switchyard/core';
import { payloadFor } from '../systems/system-under-test';
import { BENCH_PREFIX, DISPATCHER_MAIN, switchyardEnv } from '../systems/switchyard-system';
import type { BenchPlan } from '../support/bench-plan';
import { BenchProcess } from '../support/bench-process';
import { cpuMicros } from '../support/proc-usage';
import { RedisInstance } from '../support/redis-instance';
import type { Results } from '../support/results';
import { CASE_NAMES } from './worker-cases';

/** Fake nodes are never checked for heartbeats during a run. */
const NO_FAILURE_DETECTION = { NODE_SUSPECT_AFTER_MS: '3500000', NODE_DEAD_AFTER_MS: '3600000' };
const POLL_MS = 10;

/**
 * Case 6: `tasks` queued, `nodes` registered straight into the registry (no processes), then a
 * dispatcher starts and assigns them all. Decisions/s over the span from the first assignment to
 * the last, and the dispatcher's CPU over the same span (/proc), per decision.
 */
async function oneRun(plan: BenchPlan, nodes: number, results: Results): Promise<void> {
  const redis = await RedisInstance.start();
  const config = loadConfig(switchyardEnv(redis.url));
  const client = new SwitchyardClient(config);
  let dispatcher: BenchProcess | undefined;
  try {
    const keys = new Keyspace(BENCH_PREFIX);
    const registry = new NodeStore(redis.client, keys, config);
    const slots = Math.ceil(plan.scheduledTasks / nodes);
    for (let i = 0; i < nodes; i++) {
      await registry.register({
        id: `fake-${i}`,
        types: ['noop'],
        capacity: { slots, cpu: 1_000_000, memoryMb: 1_000_000 },
        labels: {},
        hostname: 'bench',
        pid: 0,
      });
    }
    const input: TaskInput = { type: 'noop', payload: payloadFor('noop') };
    for (let sent = 0; sent < plan.scheduledTasks; sent += plan.batchSize) {
      await client.submitBatch(
        Array.from({ length: Math.min(plan.batchSize, plan.scheduledTasks - sent) }, () => input),
      );
    }
    const queue = keys.queue('noop');
    const total = plan.scheduledTasks;
    const profile =
      plan.profileDir === undefined
        ? []
        : [
            '--cpu-prof',
            `--cpu-prof-dir=${plan.profileDir}`,
            `--cpu-prof-name=dispatcher-sched-${nodes}.cpuprofile`,
          ];
    dispatcher = await BenchProcess.start(
      'dispatcher',
      DISPATCHER_MAIN,
      switchyardEnv(redis.url, NO_FAILURE_DETECTION),
      /listening on port/,
      profile,
    );
    // the last reading with nothing assigned yet starts the span; the first with the queue empty ends it
    let start = {
      at: performance.now(),
      cpu: cpuMicros(dispatcher.pid),
      redis: await redis.read(),
    };
    let end: typeof start | undefined;
    const deadline = Date.now() + 300_000;
    while (end === undefined) {
      const at = performance.now();
      const cpu = cpuMicros(dispatcher.pid);
      const left = await redis.client.zcard(queue);
      if (left === total) start = { at, cpu, redis: await redis.read() };
      else if (left === 0) end = { at, cpu, redis: await redis.read() };
      if (Date.now() > deadline) throw new Error(`case 6: ${left} of ${total} tasks still queued`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const seconds = (end.at - start.at) / 1000;
    const delta = RedisInstance.delta(start.redis, end.redis);
    const label = `${nodes} nodes`;
    results.add(CASE_NAMES[6], `decisions / s, ${label}`, 'switchyard', total / seconds, {
      better: 'higher',
      solo: true,
    });
    results.add(
      CASE_NAMES[6],
      `dispatcher CPU µs / decision, ${label}`,
      'switchyard',
      (end.cpu - start.cpu) / total,
      { solo: true },
    );
    results.add(
      CASE_NAMES[6],
      `Redis CPU µs / decision, ${label}`,
      'switchyard',
      delta.cpuUs / total,
      { solo: true },
    );
    results.add(
      CASE_NAMES[6],
      `Redis commands / decision, ${label}`,
      'switchyard',
      delta.commands / total,
      { solo: true },
    );
    process.stdout.write(
      `  ${CASE_NAMES[6]} ${label}: ${(total / seconds).toFixed(0)} decisions/s\n`,
    );
    if (process.env.BENCH_VERBOSE) {
      const per = (m: Record<string, number>): string =>
        JSON.stringify(
          Object.fromEntries(Object.entries(m).map(([k, v]) => [k, +(v / total).toFixed(3)])),
        );
      process.stdout.write(`    calls / decision ${per(delta.byCommand)}\n`);
      process.stdout.write(`    usec / decision  ${per(delta.usecByCommand)}\n`);
    }
  } finally {
    await dispatcher?.stop();
    await client.close();
    await redis.stop();
  }
}

export async function runSchedulingCase(plan: BenchPlan, results: Results): Promise<void> {
  if (!plan.cases.has(6)) return;
  for (let rep = 0; rep < plan.reps; rep++) {
    for (const nodes of plan.nodeCounts) await oneRun(plan, nodes, results);
  }
}
