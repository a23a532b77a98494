#!/usr/bin/env node
// Redis CPU of the hot path as an instruction count, the A/B measure for script changes that
// load cannot blur: a redis-server under valgrind (callgrind, instructions only) runs a case-1
// shaped load through TaskStore: 2 nodes × 16 slots, submits of 500, leader passes (read-heads,
// then assign with standby hints for the rest of the heads), finish with refill in reports of 12.
// Two runs of one build differ by ~0.4%; wall-clock µs on the shared 2-core machine by ~10%.
//   node bench/tools/redis-instructions.js [--core libs/core/dist] [--tasks 4000] [--keep FILE]
// (--keep: the callgrind output is kept there, for callgrind_annotate)
// Prints the instructions of the whole run (start-up and 2,000 warm-up tasks included, the same
// for every build) and commands per task. Needs valgrind; takes ~30 s.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ownStores } = require('./own-redis');

const { arg } = require('./tool-args');
const { underCallgrind } = require('./callgrind-redis');
const { registerNoopNode, succeededReports } = require('./fake-cluster');
const core = require(path.resolve(arg('core', 'libs/core/dist')));
const TASKS = Number(arg('tasks', '4000'));
const WARM_UP = 2000;
const SLOTS = 16;
const REPORTS = 12;
const NODES = ['w1', 'w2'];
const RETRY = { backoff: 'exponential', baseMs: 100, capMs: 1000, jitter: 0 };

async function commands(redis) {
  let calls = 0;
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const m = /^cmdstat_(\w+):calls=(\d+)/.exec(line);
    if (m && !['info', 'function', 'script'].includes(m[1])) calls += Number(m[2]);
  }
  return calls;
}

/** The load: returns the number of tasks finished after the warm-up and their commands. */
async function load(own) {
  const { config, keys, tasks, nodes } = ownStores(core, own, 'ri');
  const inc = {};
  for (const id of NODES) {
    inc[id] = await registerNoopNode(nodes, id, SLOTS);
  }
  await own.redis.set(keys.leader, '1:bench');
  const payload = { pad: 'x'.repeat(246) };
  const held = Object.fromEntries(NODES.map((id) => [id, []]));
  let submitted = 0;
  let finished = 0;
  let before;
  for (let pass = 0; finished < TASKS + WARM_UP; pass++) {
    if (before === undefined && finished >= WARM_UP)
      before = { finished, calls: await commands(own.redis) };
    if (submitted - finished < 1500) {
      const now = Date.now();
      const specs = Array.from({ length: 500 }, () =>
        core.toTaskSpec({ type: 'noop', payload }, config, now),
      );
      await tasks.submit(specs, now);
      submitted += 500;
    }
    if (pass % 2 === 0) {
      const free = NODES.map((id) => SLOTS - held[id].length);
      const want = free.reduce((a, b) => a + b, 0) + REPORTS;
      const { heads } = await tasks.readHeads(new Map([['noop', want]]), {
        maxPromotions: want,
        maxTypes: 16,
      });
      const decisions = [];
      const hints = [];
      let k = 0;
      NODES.forEach((id, x) => {
        for (let j = 0; j < free[x] && k < heads.length; j++)
          decisions.push({ taskId: heads[k++].id, nodeId: id, incarnation: inc[id] });
      });
      for (let x = 0; k < heads.length; k++, x++) {
        const id = NODES[x % NODES.length];
        hints.push({ taskId: heads[k].id, nodeId: id, incarnation: inc[id] });
      }
      const announce = { channelBase: 'ri:node.', maxBytes: 1 << 20 };
      const standby = { hints, ttlMs: 60_000, depth: 2 };
      const r = await tasks.assignAndHint(
        '1:bench',
        decisions,
        Date.now(),
        new Map(),
        announce,
        standby,
      );
      for (const a of r.results)
        if (a.ok) held[a.nodeId].push({ taskId: a.taskId, lease: a.lease });
    }
    for (const id of NODES) {
      const batch = held[id].splice(0, REPORTS);
      if (batch.length === 0) continue;
      const now = Date.now();
      const reports = succeededReports(batch, now, RETRY);
      const r = await tasks.finishAndRefill(id, inc[id], reports, now, 'ri:tasks.finished');
      if (r.outcomes.some((o) => o !== 'succeeded'))
        throw new Error(`finish: ${r.outcomes.join(',')}`);
      finished += batch.length;
      for (const t of r.assigned) held[id].push({ taskId: t.id, lease: t.lease });
    }
  }
  return { tasks: finished - before.finished, calls: (await commands(own.redis)) - before.calls };
}

async function main() {
  const out = path.join(os.tmpdir(), `redis-instructions-${process.pid}.out`);
  const own = await underCallgrind(out);
  let result;
  try {
    result = await load(own);
  } finally {
    await own.redis.shutdown('NOSAVE').catch(() => {});
    own.redis.disconnect();
  }
  const log = await own.exited;
  if (arg('keep')) fs.renameSync(out, arg('keep'));
  else fs.rmSync(out, { force: true });
  const total = Number(/Collected : (\d+)/.exec(log)?.[1]);
  console.log(
    `${arg('core', 'libs/core/dist')}: ${(total / 1e9).toFixed(3)}G instructions in Redis` +
      ` (${Math.round(total / (result.tasks + WARM_UP)).toLocaleString('en')} per task)` +
      `  ${(result.calls / result.tasks).toFixed(2)} commands/task`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
