#!/usr/bin/env node
// Where a worker slot's time goes: runs one Switchyard case (real dispatcher and worker
// processes on an own redis-server, as the bench does), then reads every task's record and
// reports how much of the slots' time was held by a lease (assigned → finish committed), the
// assign → handler start and start → finish spans, and per node how many tasks each assignment
// brought and how often one came. A throughput that is not CPU-bound shows here as idle slots.
//   npm run bench -- --cases 1 --reps 1 (builds dist/bench), then
//   node bench/tools/slot-occupancy.js [--kind noop|sleep] [--tasks 20000] [--slots 16] [--workers 2]
// Timestamps are the records' own (milliseconds, dispatcher and worker clocks of one machine).
const path = require('node:path');

const { arg } = require('./tool-args');
const { stuckReport } = require('./stuck-report');
const dist = path.resolve(__dirname, '../../dist/bench');
const { RedisInstance } = require(path.join(dist, 'support/redis-instance'));
const { SwitchyardSystem, BENCH_PREFIX } = require(path.join(dist, 'systems/switchyard-system'));

const KIND = arg('kind', 'noop');
const TASKS = Number(arg('tasks', '20000'));
const SLOTS = Number(arg('slots', '16'));
const WORKERS = Number(arg('workers', '2'));
const BATCH = 1000;

const sum = (a) => a.reduce((s, x) => s + x, 0);
function spread(name, values) {
  const a = [...values].sort((x, y) => x - y);
  const at = (p) => a[Math.min(a.length - 1, Math.floor(a.length * p))];
  return `${name}: p50 ${at(0.5)}  p90 ${at(0.9)}  mean ${(sum(a) / a.length).toFixed(2)} ms`;
}

async function main() {
  const redis = await RedisInstance.start();
  const sy = await SwitchyardSystem.start(redis);
  // the ids of the tasks submitted since the warm-up ended (or of the warm-up, during it)
  let ids = [];
  const submit = sy.client.submitBatch.bind(sy.client);
  sy.client.submitBatch = async (inputs) => {
    const outcomes = await submit(inputs);
    for (const o of outcomes) ids.push(o.id);
    return outcomes;
  };
  try {
    await sy.startWorkers(WORKERS, SLOTS);
    await sy.runBatch(KIND, 500, 500); // warm up
    ids = [];
    const t0 = Date.now();
    await sy.runBatch(KIND, TASKS, BATCH);
    const elapsed = Date.now() - t0;
    const views = [];
    for (let i = 0; i < ids.length; i += BATCH)
      views.push(...(await sy.client.waitFor(ids.slice(i, i + BATCH))));

    const toStart = [];
    const toFinish = [];
    const held = [];
    const byNode = new Map();
    for (const v of views) {
      const at = v.history[v.history.length - 1];
      toStart.push(at.startedAt - at.assignedAt);
      toFinish.push(v.finishedAt - at.startedAt);
      held.push(v.finishedAt - at.assignedAt);
      if (!byNode.has(at.node)) byNode.set(at.node, []);
      byNode.get(at.node).push(at.assignedAt);
    }
    const slotMs = WORKERS * SLOTS * elapsed;
    console.log(
      `${TASKS} ${KIND} tasks in ${elapsed} ms (${Math.round((TASKS / elapsed) * 1000)}/s); ` +
        `slots held ${((sum(held) / slotMs) * 100).toFixed(1)}% of ${WORKERS} × ${SLOTS} slots' time`,
    );
    console.log(spread('assigned → handler start', toStart));
    console.log(spread('handler start → finish committed', toFinish));
    console.log(spread('held (assigned → finish committed)', held));
    for (const [node, times] of byNode) {
      const distinct = [...new Set(times)].sort((x, y) => x - y);
      const gaps = distinct.slice(1).map((t, i) => t - distinct[i]);
      console.log(
        `${node}: ${times.length} tasks in ${distinct.length} assignment milliseconds ` +
          `(${(times.length / distinct.length).toFixed(1)} per assignment); ${spread('between assignments', gaps)}`,
      );
    }
  } catch (err) {
    // a wait that timed out: where its tasks stand, read before Redis goes
    const processes = [sy.dispatcher, ...sy.workers];
    const lines = await stuckReport(redis.client, `{${BENCH_PREFIX}}:`, ids, processes).catch(
      (readErr) => [`no stuck report: ${readErr.message}`],
    );
    for (const line of lines) console.error(line);
    throw err;
  } finally {
    await sy.close();
    await redis.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
