#!/usr/bin/env node
// Hunts for stuck tasks: runs the Switchyard case again and again (fresh redis-server, dispatcher
// and workers each run, as the bench starts them: warm-up, then rounds of batches) and checks
// while the tasks flow and after they end:
//   - drift: a node's used slots in its state row differ from the leases it holds (one atomic
//     read of the rows, lease sets, standby lists and queues, every --sample-ms);
//   - idle: a node keeps free slots and the same usage and leases for --idle-ms while tasks are
//     queued (a refill or pass that never came), shown with the dispatcher main thread's CPU
//     and run-queue wait over that span, which tell a starved process from a missed pass;
//   - leftovers: once every wait ended, used slots, leases or queued tasks that remain;
//   - timeouts: a batch not terminal within --timeout-ms (Redis state and logs printed).
//   npm run bench -- --cases 1 --reps 1 (builds dist/bench), then
//   node bench/tools/slot-invariants.js [--runs 10] [--rounds 5] [--kind noop|sleep] [--tasks 2000]
//     [--slots 16] [--workers 2] [--gap-ms 300] [--idle-ms 1500] [--timeout-ms 60000]
const fs = require('node:fs');
const path = require('node:path');

const { arg } = require('./tool-args');
const { readNodes, stuckReport } = require('./stuck-report');
const dist = path.resolve(__dirname, '../../dist/bench');
const { RedisInstance } = require(path.join(dist, 'support/redis-instance'));
const { SwitchyardSystem, BENCH_PREFIX } = require(path.join(dist, 'systems/switchyard-system'));
const { payloadFor } = require(path.join(dist, 'systems/system-under-test'));

const RUNS = Number(arg('runs', '10'));
const ROUNDS = Number(arg('rounds', '5'));
const KIND = arg('kind', 'noop');
const TASKS = Number(arg('tasks', '2000'));
const SLOTS = Number(arg('slots', '16'));
const WORKERS = Number(arg('workers', '2'));
const GAP_MS = Number(arg('gap-ms', '300'));
const IDLE_MS = Number(arg('idle-ms', '1500'));
const SAMPLE_MS = Number(arg('sample-ms', '50'));
const TIMEOUT_MS = Number(arg('timeout-ms', '60000'));
const BATCH = 1000;
const BASE = `{${BENCH_PREFIX}}:`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The main thread's time on a CPU and waiting for one (ns), from /proc (Linux). */
function schedstat(pid) {
  try {
    const [cpu, wait] = fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ');
    return { cpu: Number(cpu), wait: Number(wait) };
  } catch {
    return undefined;
  }
}

/** Samples the nodes until stopped; returns what it found. */
function watch(redis, dispatcherPid, found) {
  let stop = false;
  const seen = new Map(); // node → { key, since, reported, sched }
  const done = (async () => {
    while (!stop) {
      let nodes;
      try {
        nodes = await readNodes(redis.client, BASE);
      } catch {
        break; // the run is closing
      }
      const now = Date.now();
      const { rows, queued } = nodes;
      for (const row of rows) {
        const [id, status, slots, used, leases, , completed] = row.split(',');
        if (Number(used) !== Number(leases))
          found.push(`drift: ${row} (id,status,slots,used,leases,hints,last completion)`);
        // the span starts once the node has room, tasks are queued and its row and leases stay
        // the same (a node that took tasks and finished them between two samples shows the same
        // usage and leases, but a later last completion)
        const key = `${used},${leases},${completed}`;
        const waiting = status === 'alive' && Number(used) < Number(slots) && queued > 0;
        const was = seen.get(id);
        if (was === undefined || was.key !== key || !waiting) {
          seen.set(id, { key, since: now, reported: false, sched: schedstat(dispatcherPid) });
          continue;
        }
        if (was.reported || now - was.since < IDLE_MS) continue;
        was.reported = true;
        const s = schedstat(dispatcherPid);
        const starved =
          s && was.sched
            ? `; dispatcher main thread meanwhile: ${((s.cpu - was.sched.cpu) / 1e6).toFixed(0)} ms on a CPU, ` +
              `${((s.wait - was.sched.wait) / 1e6).toFixed(0)} ms waiting for one`
            : '';
        found.push(
          `idle: ${id} unchanged with free slots for ${now - was.since} ms while ${queued} queued ` +
            `(${rows.join(' ')})${starved}`,
        );
      }
      await sleep(SAMPLE_MS);
    }
  })();
  return async () => {
    stop = true;
    await done;
  };
}

async function runBatches(sy, count) {
  const ids = [];
  const waits = [];
  for (let sent = 0; sent < count; sent += BATCH) {
    const n = Math.min(BATCH, count - sent);
    const input = { type: KIND, payload: payloadFor(KIND) };
    const outcomes = await sy.client.submitBatch(Array.from({ length: n }, () => input));
    const batch = outcomes.map((o) => o.id);
    ids.push(...batch);
    const wait = sy.client.waitForStates(batch, { timeoutMs: TIMEOUT_MS });
    wait.catch(() => undefined); // judged below, with the others
    waits.push(wait);
  }
  const failed = (await Promise.allSettled(waits)).filter((w) => w.status === 'rejected');
  return { ids, failure: failed.length > 0 ? String(failed[0].reason) : undefined };
}

async function leftovers(redis) {
  const { rows, queued } = await readNodes(redis.client, BASE);
  const left = rows.filter((row) => {
    const [, , , used, leases] = row.split(',');
    return Number(used) !== 0 || Number(leases) !== 0;
  });
  return queued > 0 ? [...left, `${queued} queued`] : left;
}

async function oneRun(run) {
  const redis = await RedisInstance.start();
  const sy = await SwitchyardSystem.start(redis);
  const found = [];
  let tasks = 0;
  try {
    await sy.startWorkers(WORKERS, SLOTS);
    const stopWatching = watch(redis, sy.dispatcher.pid, found);
    let failure;
    for (let round = 0; round <= ROUNDS && failure === undefined; round++) {
      // round 0: the bench's warm-up (500 tasks right after the processes start)
      const out = await runBatches(sy, round === 0 ? 500 : TASKS);
      tasks += out.ids.length;
      if (out.failure !== undefined) {
        failure = out.failure;
        found.push(`timeout: ${failure}`);
        const procs = [sy.dispatcher, ...sy.workers];
        for (const line of await stuckReport(redis.client, BASE, out.ids, procs))
          found.push(`  ${line}`);
      }
      if (GAP_MS > 0) await sleep(Math.random() * GAP_MS);
    }
    await stopWatching();
    if (failure === undefined) for (const l of await leftovers(redis)) found.push(`leftover: ${l}`);
  } finally {
    await sy.close();
    await redis.stop();
  }
  console.log(`run ${run}: ${tasks} ${KIND} tasks, ${found.length === 0 ? 'clean' : 'FOUND'}`);
  for (const line of found.slice(0, 20)) console.log(`  ${line}`);
  return found.length;
}

async function main() {
  let bad = 0;
  for (let run = 1; run <= RUNS; run++) if ((await oneRun(run)) > 0) bad++;
  console.log(`${RUNS} runs, ${bad} with findings`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
