#!/usr/bin/env node
// Redis instructions per scheduling decision as the node count grows: assign-cost.js's load
// (read-heads → assign of `batch` no-op tasks round-robin over `nodes` nodes, node.assigned
// published) against a redis-server under callgrind, counted only over the measured rounds
// (instrumentation is switched on after the set-up and warm-up with callgrind_control). Repeats to
// well under 1% where assign-cost.js's µs swing ~10% on the shared machine.
//   node bench/tools/assign-instructions.js [--core libs/core/dist] [--nodes 10,1000]
//        [--rounds 5] [--batch 2000] [--keep <dir>]   (--keep: leave callgrind.<nodes>.out there)
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Redis = require('ioredis');

const { arg } = require('./tool-args');
const { ownStores } = require('./own-redis');
const core = require(path.resolve(arg('core', 'libs/core/dist')));
const ROUNDS = Number(arg('rounds', '5'));
const BATCH = Number(arg('batch', '2000'));
const NODES = arg('nodes', '10,1000').split(',').map(Number);
const KEEP = arg('keep', '');

async function underCallgrind(out) {
  const port = 20000 + Math.floor(Math.random() * 10000);
  const server = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      `--callgrind-out-file=${out}`,
      'redis-server',
    ].concat(['--port', String(port), '--save', '', '--appendonly', 'no']),
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => server.on('exit', () => resolve(log)));
  const redis = new Redis({ port, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  redis.on('error', () => {});
  await new Promise((resolve) => redis.once('ready', resolve));
  const collect = (on) =>
    execFileSync('callgrind_control', ['-i', on, String(server.pid)], { stdio: 'ignore' });
  return { port, redis, exited, collect };
}

async function oneCount(nodeCount) {
  if (KEEP) fs.mkdirSync(KEEP, { recursive: true });
  const out = path.join(KEEP || os.tmpdir(), `callgrind.${nodeCount}.out`);
  const own = await underCallgrind(out);
  const { config, keys, tasks, nodes } = ownStores(core, own, 'ai');
  try {
    const total = (ROUNDS + 1) * BATCH;
    const ids = [];
    for (let i = 0; i < nodeCount; i++) {
      const id = `fake-${i}`;
      const inc = await nodes.register({
        id,
        types: ['noop'],
        capacity: { slots: Math.ceil(total / nodeCount), cpu: 1e6, memoryMb: 1e6 },
        labels: {},
        hostname: 'bench',
        pid: 0,
      });
      ids.push({ id, inc });
    }
    await own.redis.set(keys.leader, '1:bench');
    const payload = { pad: 'x'.repeat(256 - 10) };
    for (let sent = 0; sent < total; sent += 1000) {
      const now = Date.now();
      const specs = Array.from({ length: 1000 }, () =>
        core.toTaskSpec({ type: 'noop', payload }, config, now),
      );
      await tasks.submit(specs, now);
    }
    const announce = { channelBase: 'ai:node.assigned:', maxBytes: config.maxBusMessageBytes };
    let next = 0;
    // round 0 warms the scripts up, uncounted
    for (let r = 0; r <= ROUNDS; r++) {
      if (r === 1) own.collect('on');
      const read = await tasks.readHeads(new Map([['noop', BATCH]]), {
        maxPromotions: BATCH,
        maxTypes: 16,
      });
      const decisions = read.heads.map((h) => {
        const n = ids[next++ % ids.length];
        return { taskId: h.id, nodeId: n.id, incarnation: n.inc };
      });
      const res = await tasks.assign('1:bench', decisions, Date.now(), new Map(), announce);
      if (res.some((x) => !x.ok))
        throw new Error(`assign skipped: ${JSON.stringify(res.find((x) => !x.ok))}`);
    }
    own.collect('off');
  } finally {
    await own.redis.shutdown('NOSAVE').catch(() => {});
    own.redis.disconnect();
  }
  const log = await own.exited;
  if (!KEEP) fs.rmSync(out, { force: true });
  const collected = Number(/Collected : (\d+)/.exec(log)?.[1]);
  console.log(
    `${String(nodeCount).padStart(5)} nodes: ${Math.round(collected / (ROUNDS * BATCH)).toLocaleString('en')}` +
      ' instructions per decision (read-heads + assign)',
  );
  return collected / (ROUNDS * BATCH);
}

(async () => {
  console.log(`${ROUNDS} rounds × ${BATCH} decisions (core: ${arg('core', 'libs/core/dist')})`);
  const per = [];
  for (const n of NODES) per.push(await oneCount(n));
  if (per.length > 1) console.log(`last / first: ${(per[per.length - 1] / per[0]).toFixed(3)}`);
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
