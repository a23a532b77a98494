#!/usr/bin/env node
// Redis time of the scheduling commit as the node count grows, without processes: an own
// redis-server, `nodes` nodes registered, then rounds of read-heads → assign of `batch` queued
// no-op tasks spread round-robin over the nodes (node.assigned published, nobody listening), with
// INFO commandstats read around each step (Redis' own usec per call: repeatable on a busy machine).
//   node bench/tools/assign-cost.js [--core libs/core/dist] [--nodes 10,1000] [--rounds 20] [--batch 2000]
const path = require('node:path');

const { arg } = require('./tool-args');
const { queueNoops, registerFakeNodes } = require('./fake-cluster');
const core = require(path.resolve(arg('core', 'libs/core/dist')));
const { ownStores, startOwnRedis } = require('./own-redis');
const ROUNDS = Number(arg('rounds', '20'));
const BATCH = Number(arg('batch', '2000'));
const NODES = arg('nodes', '10,1000').split(',').map(Number);

async function scriptUsec(redis) {
  const info = await redis.info('commandstats');
  const m = /^cmdstat_fcall:calls=(\d+),usec=(\d+)/m.exec(info);
  return m ? Number(m[2]) : 0;
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function oneCount(nodeCount) {
  const own = await startOwnRedis();
  const { redis, stop } = own;
  try {
    const { config, keys, tasks, nodes } = ownStores(core, own, 'cost');
    const total = (ROUNDS + 2) * BATCH;
    const ids = await registerFakeNodes(nodes, nodeCount, Math.ceil(total / nodeCount));
    await queueNoops(core, { redis: redis, config, keys, tasks }, total);
    const announce =
      arg('announce', '1') === '1'
        ? { channelBase: 'cost:node.assigned:', maxBytes: config.maxBusMessageBytes }
        : undefined;
    const per = { readHeads: [], assign: [] };
    let next = 0;
    for (let r = 0; r < ROUNDS + 2; r++) {
      let t0 = await scriptUsec(redis);
      const read = await tasks.readHeads(new Map([['noop', BATCH]]), {
        maxPromotions: BATCH,
        maxTypes: 16,
      });
      let t1 = await scriptUsec(redis);
      const decisions = read.heads.map((h) => {
        const n = ids[next++ % ids.length];
        return { taskId: h.id, nodeId: n.id, incarnation: n.inc };
      });
      const res = await tasks.assign('1:bench', decisions, Date.now(), new Map(), announce);
      const t2 = await scriptUsec(redis);
      if (res.some((x) => !x.ok))
        throw new Error(`assign skipped: ${JSON.stringify(res.find((x) => !x.ok))}`);
      if (r >= 2) {
        per.readHeads.push((t1 - t0) / decisions.length);
        per.assign.push((t2 - t1) / decisions.length);
      }
    }
    const f = (v) => `best ${Math.min(...v).toFixed(2)} median ${median(v).toFixed(2)}`;
    console.log(
      `${String(nodeCount).padStart(5)} nodes: read-heads µs/decision ${f(per.readHeads)} | assign ${f(per.assign)}`,
    );
  } finally {
    stop();
  }
}

(async () => {
  console.log(`${ROUNDS} rounds × ${BATCH} decisions (core: ${arg('core', 'libs/core/dist')})`);
  for (const n of NODES) await oneCount(n);
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
