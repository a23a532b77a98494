#!/usr/bin/env node
// The dispatcher's CPU per task of `POST /tasks/batch` alone: an own redis-server, one real
// dispatcher process (no workers, so no drain pipeline), batches posted one after another as
// case 2 posts them, CPU from /proc/<pid>/stat over the measured batches only. With --profile
// the dispatcher writes a V8 CPU profile, and the tool prints each measured window's bounds in
// seconds after the dispatcher was spawned, so an analysis can keep only those samples.
//   node bench/tools/http-batch-cost.js [--root .] [--warm 20] [--batches 60] [--size 1000]
//                                       [--rounds 3] [--profile /tmp/prof-http]
// DISPATCHER_NODE_ARGS='--trace-gc' passes flags to the dispatcher's node (instead of --profile);
// DISPATCHER_LOG=<file> appends its output there.
// --root another worktree (e.g. /work/wt/base) measures that build: alternate it with this one.
/* global fetch */ // Node 20 has it built in
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const { arg } = require('./tool-args');
const { startOwnRedis } = require('./own-redis');

const ROOT = path.resolve(arg('root', '.'));
const WARM = Number(arg('warm', '20'));
const BATCHES = Number(arg('batches', '60'));
const SIZE = Number(arg('size', '1000'));
const ROUNDS = Number(arg('rounds', '3'));
const PROFILE = arg('profile');
let spawnedAt = 0;
const PAYLOAD = { pad: 'x'.repeat(246) }; // 256 bytes as JSON, as the bench's no-op payload

function cpuMicros(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / 100) * 1e6;
}

function startDispatcher(port) {
  const env = {
    PATH: process.env.PATH ?? '',
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: `redis://127.0.0.1:${port}`,
    SWITCHYARD_PREFIX: 'bench',
    LOG_LEVEL: 'info',
    SWITCHYARD_INSECURE_NO_AUTH: 'true',
    RATE_LIMIT_MAX: '0',
  };
  const args = process.env.DISPATCHER_NODE_ARGS
    ? process.env.DISPATCHER_NODE_ARGS.split(' ')
    : PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`, '--cpu-prof-name=dispatcher.cpuprofile']
      : [];
  spawnedAt = Date.now();
  const proc = spawn(process.execPath, [...args, path.join(ROOT, 'dist/apps/dispatcher/main.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`dispatcher did not start:\n${out}`)), 60_000);
    const onData = (chunk) => {
      if (process.env.DISPATCHER_LOG) fs.appendFileSync(process.env.DISPATCHER_LOG, chunk);
      if (out.length > 100_000) return;
      out += chunk.toString('utf8');
      const m = /listening on port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: `http://127.0.0.1:${m[1]}` });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`dispatcher exited (${code}):\n${out}`)));
  });
}

async function postBatches(url, n) {
  const body = JSON.stringify({
    tasks: Array.from({ length: SIZE }, () => ({ type: 'noop', payload: PAYLOAD })),
  });
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/tasks/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`POST /tasks/batch answered ${res.status}: ${text}`);
  }
}

async function main() {
  const redis = await startOwnRedis();
  const { proc, url } = await startDispatcher(redis.port);
  try {
    await postBatches(url, WARM);
    const perTask = [];
    for (let r = 0; r < ROUNDS; r++) {
      // the queue emptied between rounds, so each round submits into the same state
      await redis.redis.del('{bench}:q:noop');
      const wallFrom = Date.now();
      const from = cpuMicros(proc.pid);
      await postBatches(url, BATCHES);
      const used = cpuMicros(proc.pid) - from;
      perTask.push(used / (BATCHES * SIZE));
      console.log(
        `round ${r + 1}: ${(used / (BATCHES * SIZE)).toFixed(2)} µs dispatcher CPU per task, ` +
          `${Math.round((BATCHES * SIZE) / ((Date.now() - wallFrom) / 1000))} tasks/s ` +
          `(window ${((wallFrom - spawnedAt) / 1000).toFixed(1)}..${((Date.now() - spawnedAt) / 1000).toFixed(1)} s after spawn)`,
      );
    }
    perTask.sort((a, b) => a - b);
    console.log(`median ${perTask[Math.floor(perTask.length / 2)].toFixed(2)} µs per task`);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((resolve) => proc.once('exit', resolve));
    redis.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
