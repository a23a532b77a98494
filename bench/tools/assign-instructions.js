#!/usr/bin/env node
// Redis instructions per scheduling decision as the node count grows: assign-cost.js's load
// (read-heads → assign of `batch` no-op tasks round-robin over `nodes` nodes, node.assigned
// published) against a redis-server under callgrind, counted only over the measured rounds
// (instrumentation is switched on after the set-up and warm-up with callgrind_control). Repeats to
// well under 1% where assign-cost.js's µs swing ~10% on the shared machine.
//   node bench/tools/assign-instructions.js [--core libs/core/dist] [--nodes 10,1000]
//        [--rounds 5] [--batch 2000] [--keep <dir>]   (--keep: leave callgrind.<nodes>.out there)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { arg } = require('./tool-args');
const { queueNoops, registerFakeNodes } = require('./fake-cluster');
const { underCallgrind } = require('./callgrind-redis');
const { ownStores } = require('./own-redis');
const core = require(path.resolve(arg('core', 'libs/core/dist')));
const ROUNDS = Number(arg('rounds', '5'));
const BATCH = Number(arg('batch', '2000'));
const NODES = arg('nodes', '10,1000').split(',').map(Number);
const KEEP = arg('keep', '');

async function oneCount(nodeCount) {
  if (KEEP) fs.mkdirSync(KEEP, { recursive: true });
  const out = path.join(KEEP || os.tmpdir(), `callgrind.${nodeCount}.out`);
  const own = await underCallgrind(out, { atStart: false });
  const { config, keys, tasks, nodes } = ownStores(core, own, 'ai');
  try {
    const total = (ROUNDS + 1) * BATCH;
    const ids = await registerFakeNodes(nodes, nodeCount, Math.ceil(total / nodeCount));
    await queueNoops(core, { redis: own.redis, config, keys, tasks }, total);
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
