#!/usr/bin/env node
// Partitions across Redis Cluster shards: store-level task throughput (submit → read heads →
// assign → start → finish, batches of BATCH) for P partitions (one SWITCHYARD_PREFIX each,
// one client process each), placed all on one master or spread over three. Measures what the
// Redis side allows; see docs/scaling.md. Needs `node scripts/build.js` first.
//   node bench/cluster-shards.js [seconds=5] [batch=100] [rounds=3]
'use strict';
const { spawn, fork, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

async function child(prefix, seeds, seconds, batch) {
  const core = require('@switchyard/core');
  const config = core.loadConfig({ REDIS_CLUSTER_NODES: seeds });
  const redis = core.createRedis(config, `bench-${prefix}`);
  await core.connectRedis(redis);
  const keys = new core.Keyspace(prefix);
  const tasks = new core.TaskStore(redis, keys, config);
  const nodes = new core.NodeStore(redis, keys, config);
  const leases = new core.LeaderLeaseStore(redis, keys);
  const node = 'bench-node';
  const incarnation = await nodes.register({
    id: node,
    types: ['bench'],
    capacity: { slots: 1_000_000, cpu: 1_000_000_000, memoryMb: 1_000_000_000 },
    labels: {},
    hostname: os.hostname(),
    pid: process.pid,
  });
  const lease = await leases.acquire('bench', 120_000);
  const retry = core.retryPolicyFor(config, 'bench');
  const spec = (i) => ({
    type: 'bench',
    payload: { i },
    priority: 0,
    requirements: { slots: 1, cpu: 0, memoryMb: 0, labels: {} },
    maxAttempts: 3,
    timeoutMs: 60_000,
  });
  process.send({ ready: true });
  await new Promise((resolve) => process.once('message', resolve));
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  let calls = 0;
  for (let n = 0; Date.now() < deadline; n++) {
    await tasks.submit(Array.from({ length: batch }, (_, i) => spec(n * batch + i)));
    const heads = await tasks.readHeads(new Map([['bench', batch]]), {
      maxPromotions: 0,
      maxTypes: 10,
    });
    const assigned = (
      await tasks.assign(
        lease,
        heads.heads.map((h) => ({ taskId: h.id, nodeId: node, incarnation })),
      )
    ).filter((r) => r.ok);
    const now = Date.now();
    await tasks.start(
      node,
      incarnation,
      assigned.map((r) => ({ taskId: r.taskId, lease: r.lease, startedAt: now })),
    );
    const finished = await tasks.finish(
      node,
      incarnation,
      assigned.map((r) => ({
        taskId: r.taskId,
        lease: r.lease,
        startedAt: now,
        resultJson: '{"ok":true}',
        retry,
        random: 0.5,
      })),
    );
    done += finished.filter((f) => f === 'succeeded').length;
    calls += 5;
  }
  process.send({ done, calls });
  await core.closeRedis(redis);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitUntil(check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function cli(port, ...args) {
  const opts = { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] };
  return execFileSync('redis-cli', ['-p', String(port), ...args], opts).trim();
}

async function startCluster(masters) {
  const nodes = [];
  for (let i = 0; i < masters; i++) {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-bench-'));
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-port',
        String(await freePort()),
      ],
      { stdio: 'ignore' },
    );
    nodes.push({ port, dir, proc });
    await waitUntil(() => cli(port, 'ping') === 'PONG', `redis-server ${port}`);
  }
  execFileSync(
    'redis-cli',
    [
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ],
    { stdio: 'ignore' },
  );
  await waitUntil(
    () => nodes.every((n) => /cluster_state:ok/.test(cli(n.port, 'cluster', 'info'))),
    'cluster ok',
  );
  return nodes;
}

/** The master port that owns the slot of prefix `p` ({p}:). */
function ownerOf(nodes, p) {
  const slot = Number(cli(nodes[0].port, 'cluster', 'keyslot', `{${p}}:`));
  const slots = JSON.parse(
    execFileSync('redis-cli', ['-p', String(nodes[0].port), '--json', 'cluster', 'slots'], {
      encoding: 'utf8',
    }),
  );
  const range = slots.find(([from, to]) => slot >= from && slot <= to);
  return Number(range[2][1]);
}

/** Prefixes placed as asked: `placement[i]` = index of the master partition i must live on. */
function choosePrefixes(nodes, placement, tag) {
  const chosen = [];
  for (let k = 0; chosen.length < placement.length && k < 100_000; k++) {
    const p = `${tag}${k}`;
    const want = nodes[placement[chosen.length]].port;
    if (ownerOf(nodes, p) === want) chosen.push(p);
  }
  return chosen;
}

/** Next message from a child, or an error if it exits first or stays silent past the deadline. */
function nextMessage(c, what, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`child ${c.pid}: no ${what} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onExit = (code) => {
      clearTimeout(timer);
      reject(new Error(`child ${c.pid} exited (${code}) before ${what}`));
    };
    c.once('exit', onExit);
    c.once('message', (m) => {
      clearTimeout(timer);
      c.off('exit', onExit);
      resolve(m);
    });
  });
}

async function run(seeds, prefixes, seconds, batch) {
  const children = prefixes.map((p) =>
    fork(process.argv[1], ['--child', p, seeds, String(seconds), String(batch)]),
  );
  const exited = children.map((c) => new Promise((resolve) => c.once('exit', resolve)));
  try {
    await Promise.all(children.map((c) => nextMessage(c, 'ready', 60_000)));
    const results = children.map((c) => nextMessage(c, 'result', seconds * 1000 + 60_000));
    const started = Date.now();
    children.forEach((c) => c.send('go'));
    const out = await Promise.all(results);
    const elapsed = (Date.now() - started) / 1000;
    const done = out.reduce((sum, r) => sum + r.done, 0);
    return {
      tasksPerSecond: Math.round(done / elapsed),
      done,
      seconds: Number(elapsed.toFixed(1)),
    };
  } finally {
    children.forEach((c) => c.exitCode === null && c.kill('SIGKILL'));
    await Promise.all(exited);
  }
}

async function main() {
  const seconds = Number(process.argv[2] ?? 5);
  const batch = Number(process.argv[3] ?? 100);
  const rounds = Number(process.argv[4] ?? 3);
  const nodes = await startCluster(3);
  // Ctrl-C or a timeout: stop our redis-servers (by pid) and remove their dirs before leaving
  const onSignal = (signal) => {
    for (const n of nodes) n.proc.kill('SIGKILL');
    for (const n of nodes) fs.rmSync(n.dir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const seeds = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
    const scenarios = [
      ['1 partition on 1 shard', [0]],
      ['3 partitions on 1 shard', [0, 0, 0]],
      ['3 partitions on 3 shards', [0, 1, 2]],
    ];
    // the machine is shared: interleave the scenarios over several rounds and report medians
    const samples = scenarios.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, [name, placement]] of scenarios.entries()) {
        const prefixes = choosePrefixes(nodes, placement, `r${round}s${i}x`);
        const r = await run(seeds, prefixes, seconds, batch);
        samples[i].push(r.tasksPerSecond);
        process.stdout.write(`round ${round + 1} ${name}: ${r.tasksPerSecond} tasks/s\n`);
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const rows = scenarios.map(([name], i) => ({
      scenario: name,
      medianTasksPerSecond: median(samples[i]),
      samples: samples[i],
    }));
    process.stdout.write(
      `${JSON.stringify({ cpus: os.cpus().length, loadavg: os.loadavg().map((l) => Number(l.toFixed(1))), seconds, batch, rounds, rows }, null, 2)}\n`,
    );
  } finally {
    for (const n of nodes) n.proc.kill('SIGTERM');
    await Promise.all(
      nodes.map(
        (n) =>
          new Promise((resolve) =>
            n.proc.exitCode !== null ? resolve() : n.proc.once('exit', resolve),
          ),
      ),
    );
    for (const n of nodes) fs.rmSync(n.dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  // the parent went away (Ctrl-C, timeout): do not linger holding Redis connections
  process.once('disconnect', () => process.exit(0));
  child(process.argv[3], process.argv[4], Number(process.argv[5]), Number(process.argv[6])).then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`${err.stack}\n`);
      process.exit(1);
    },
  );
} else {
  main().catch((err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
}
