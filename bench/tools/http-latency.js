#!/usr/bin/env node
// Case 3 over HTTP, Switchyard only: one no-op task at a time, submitted with POST /tasks and
// waited for through the client (as case 3 waits), on a real dispatcher and workers on an own
// redis-server. Reports p50/p99 from the POST to the wait's end, Redis scripts and commands
// and dispatcher CPU per task (INFO commandstats, /proc), then the script calls per task by
// script (SLOWLOG at 0 µs over a shorter run, so its cost stays out of the latency).
//   npx tsc -p bench/tsconfig.json (or npm run bench -- --quick) builds dist/bench, then
//   node bench/tools/http-latency.js [--root <worktree>] [--tasks 1000] [--counted 200] [--workers 2] [--slots 16]
// `--root`: the worktree whose build runs (its dist/bench and dist/apps): A/B runs alternate
// two roots under the same command, one system per run.
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const { arg } = require('./tool-args');
const root = path.resolve(arg('root', path.resolve(__dirname, '../..')));
const dist = path.join(root, 'dist/bench');
const { RedisInstance } = require(path.join(dist, 'support/redis-instance'));
const { SwitchyardSystem } = require(path.join(dist, 'systems/switchyard-system'));
const { measure } = require(path.join(dist, 'support/measure'));
const { payloadFor } = require(path.join(dist, 'systems/system-under-test'));

const TASKS = Number(arg('tasks', '1000'));
const COUNTED = Number(arg('counted', '200'));
const WORKERS = Number(arg('workers', '2'));
const SLOTS = Number(arg('slots', '16'));
const WARM_UP = 500;

function percentile(samples, p) {
  const a = [...samples].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.floor((a.length * p) / 100))];
}

/** One task: POST /tasks, then the client's wait for its outcome; the milliseconds between. */
async function runOne(sy, body) {
  const t0 = performance.now();
  const res = await globalThis.fetch(`${sy.httpUrl}/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  if (res.status !== 201)
    throw new Error(`POST /tasks answered ${res.status}: ${await res.text()}`);
  const { id } = await res.json();
  await sy.client.waitFor([id], { timeoutMs: 60_000 });
  return performance.now() - t0;
}

async function run(sy, count, body) {
  const samples = [];
  for (let i = 0; i < count; i++) samples.push(await runOne(sy, body));
  return samples;
}

/** Script calls per task by script name, from SLOWLOG with every command logged. */
async function scriptsPerTask(sy, body) {
  const c = sy.redis.client;
  await c.config('SET', 'slowlog-log-slower-than', '0');
  await c.config('SET', 'slowlog-max-len', '1000000');
  await c.slowlog('RESET');
  await run(sy, COUNTED, body);
  const entries = await c.slowlog('GET', -1);
  await c.config('SET', 'slowlog-log-slower-than', '10000');
  const calls = {};
  for (const [, , , args] of entries) {
    const command = String(args[0]).toLowerCase();
    if (command !== 'fcall' && command !== 'evalsha') continue;
    const name = String(args[1]).replace(/^sy_[0-9a-f]+_/, '');
    calls[name] = (calls[name] ?? 0) + 1;
  }
  return Object.fromEntries(
    Object.entries(calls)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, n]) => [name, Number((n / COUNTED).toFixed(3))]),
  );
}

async function main() {
  const redis = await RedisInstance.start();
  const sy = await SwitchyardSystem.start(redis);
  const body = JSON.stringify({ type: 'noop', payload: payloadFor('noop') });
  try {
    await sy.startWorkers(WORKERS, SLOTS);
    await run(sy, WARM_UP, body);
    let samples = [];
    const f = await measure(sy, TASKS, async () => {
      samples = await run(sy, TASKS, body);
    });
    const perScript = await scriptsPerTask(sy, body);
    console.log(
      JSON.stringify({
        root,
        tasks: TASKS,
        p50Ms: Number(percentile(samples, 50).toFixed(3)),
        p99Ms: Number(percentile(samples, 99).toFixed(3)),
        scriptsPerTask: Number((f.redis.scripts / TASKS).toFixed(3)),
        commandsPerTask: Number((f.redis.commands / TASKS).toFixed(2)),
        dispatcherCpuUsPerTask: Math.round(f.dispatcherCpuUs / TASKS),
        redisCpuUsPerTask: Math.round(f.redis.cpuUs / TASKS),
        perScript,
      }),
    );
  } finally {
    await sy.close();
    await redis.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
