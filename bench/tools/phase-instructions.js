#!/usr/bin/env node
// Redis instructions per task of each hot script on its own (callgrind, like redis-instructions.js,
// which measures them together): a redis-server under callgrind, one node, then per round
// submits of 500, read-heads + assign passes of --assign-batch tasks, finishes of --finish-batch
// (with standby refill, no hints held); the counters are dumped around every call so each script
// gets its own count. Two rounds; the second (warm) is printed. Batches of different sizes split a
// script's cost per call from its cost per task: per task = F / batch + P.
//   node bench/tools/phase-instructions.js [--core libs/core/dist] [--tasks 1536]
//     [--assign-batch 32] [--finish-batch 12] [--keep]   (--keep: the dumps' folder is kept)
//     [--functions]   (also where each script's instructions go inside Redis: needs a
//                      redis-server with symbols, CALLGRIND_REDIS_SERVER; see redis-functions.js)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ownStores } = require('./own-redis');
const { arg } = require('./tool-args');
const { underCallgrind } = require('./callgrind-redis');
const { registerNoopNode, succeededReports } = require('./fake-cluster');
const { functionShares, printShares } = require('./redis-functions');

const core = require(path.resolve(arg('core', 'libs/core/dist')));
const TASKS = Number(arg('tasks', '1536'));
const ASSIGN_BATCH = Number(arg('assign-batch', '32'));
const FINISH_BATCH = Number(arg('finish-batch', '12'));
const RETRY = { backoff: 'fixed', baseMs: 0, capMs: 0, jitter: 0 };

/** dump(phase): the instructions since the last dump, counted to `phase` (null: to none). */
async function round(own, stores, inc, dump) {
  const { config, tasks } = stores;
  const payload = { pad: 'x'.repeat(246) };
  const cost = { submit: 0, readHeads: 0, assign: 0, finish: 0 };
  dump(null);
  for (let s = 0; s < TASKS; s += 500) {
    const now = Date.now();
    const specs = Array.from({ length: Math.min(500, TASKS - s) }, () =>
      core.toTaskSpec({ type: 'noop', payload }, config, now),
    );
    await tasks.submit(specs, now);
  }
  cost.submit = dump('submit');
  const leased = [];
  while (leased.length < TASKS) {
    const { heads } = await tasks.readHeads(new Map([['noop', ASSIGN_BATCH]]), {
      maxPromotions: ASSIGN_BATCH,
      maxTypes: 16,
    });
    cost.readHeads += dump('readHeads');
    const decisions = heads.map((h) => ({ taskId: h.id, nodeId: 'w1', incarnation: inc }));
    const announce = { channelBase: 'pi:node.', maxBytes: 1 << 20 };
    const r = await tasks.assign('1:bench', decisions, Date.now(), new Map(), announce);
    cost.assign += dump('assign');
    r.forEach((a) => a.ok && leased.push({ taskId: a.taskId, lease: a.lease }));
  }
  for (let s = 0; s < TASKS; s += FINISH_BATCH) {
    const now = Date.now();
    const reports = succeededReports(leased.slice(s, s + FINISH_BATCH), now, RETRY);
    await tasks.finishAndRefill('w1', inc, reports, now, 'pi:tasks.finished', true);
  }
  cost.finish = dump('finish');
  return cost;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phase-instructions-'));
  const own = await underCallgrind(path.join(dir, 'cg.out'));
  try {
    const stores = ownStores(core, own, 'pi');
    const inc = await registerNoopNode(stores.nodes, 'w1', 1e6);
    await own.redis.set(stores.keys.leader, '1:bench');
    await round(own, stores, inc, () => own.dump());
    // the warm round's dump files per phase, for --functions
    const files = { submit: [], readHeads: [], assign: [], finish: [] };
    const cost = await round(own, stores, inc, (phase) => {
      const n = own.dump();
      if (phase !== null) files[phase].push(own.lastDumpFile());
      return n;
    });
    console.log(
      `${arg('core', 'libs/core/dist')}: instructions per task` +
        Object.entries(cost)
          .map(([k, v]) => `  ${k} ${Math.round(v / TASKS).toLocaleString('en')}`)
          .join('') +
        `  (assign batch ${ASSIGN_BATCH}, finish batch ${FINISH_BATCH})`,
    );
    if (process.argv.includes('--functions')) {
      for (const [phase, dumps] of Object.entries(files)) printShares(phase, functionShares(dumps));
    }
  } finally {
    await own.redis.shutdown('NOSAVE').catch(() => {});
    own.redis.disconnect();
    if (process.argv.includes('--keep')) console.log(`dumps in ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
