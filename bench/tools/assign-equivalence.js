#!/usr/bin/env node
// Equivalence check for script changes on the scheduling path: one fixed scenario run through a
// core build, everything observable written to a JSON file, to diff against another build's.
//   node bench/tools/assign-equivalence.js --setup state.json [--core libs/core/dist]
//     an own redis-server; registers nodes, submits tasks (three types, a large payload, a
//     delayed one, one failed and retried so it has history, one cancelled), dumps every key
//   node bench/tools/assign-equivalence.js --state state.json --out a.json [--core <dist>]
//     restores that state in a fresh redis-server, then with fixed clocks: read-heads, assign
//     (round-robin over live, stale, dead and tiny nodes; a gone id, a repeated id, a type limit;
//     small message limit so messages split; standby hints), a second assign without a channel,
//     start, finish with standby refill, cancel, retry, leave. Records every reply, every message
//     (psubscribe), the events stream (entry bodies, ids by position) and a dump of every key.
//   diff a.json b.json
const fs = require('node:fs');
const path = require('node:path');

const { arg } = require('./tool-args');
const core = require(path.resolve(arg('core', 'libs/core/dist')));
const Redis = require('ioredis');
const { ownStores, startOwnRedis } = require('./own-redis');
const PREFIX = 'eq';

function stores(redis, port) {
  return ownStores(core, { port, redis }, PREFIX);
}

const RETRY = { backoff: 'fixed', baseMs: 0, capMs: 0, jitter: 0 };

async function setup(redis, port) {
  const { config, keys, tasks, nodes } = stores(redis, port);
  const now = Date.now();
  const reg = (id, slots) =>
    nodes.register(
      {
        id,
        types: ['alpha', 'beta', 'gamma'],
        capacity: { slots, cpu: 1e6, memoryMb: 1e6 },
        labels: {},
        hostname: 'eq',
        pid: 0,
      },
      now,
    );
  for (let i = 0; i < 6; i++) await reg(`n${i}`, 50);
  await reg('tiny', 1);
  await reg('gone-node', 10);
  await reg('dead', 10);
  await nodes.leave('dead', 1, now);
  await redis.set(keys.leader, '1:eq');
  const inputs = [];
  for (let i = 0; i < 60; i++) {
    const type = ['alpha', 'beta', 'gamma'][i % 3];
    inputs.push({ type, payload: { i, pad: 'x'.repeat(200 + i) }, priority: i % 4 });
  }
  inputs.push({ type: 'alpha', payload: { big: 'y'.repeat(3000) } });
  inputs.push({ type: 'beta', payload: { later: true }, delayMs: 1000 });
  inputs.push({ type: 'gamma', payload: 'retried', maxAttempts: 3 });
  inputs.push({ type: 'gamma', payload: 'cancelled' });
  const specs = inputs.map((t) => core.toTaskSpec(t, config, now));
  const ids = (await tasks.submit(specs, now)).map((o) => o.id);
  // the retried one: assigned, started, failed retryable -> queued again with history
  const retried = ids[62];
  const [a] = await tasks.assign('1:eq', [{ taskId: retried, nodeId: 'n0', incarnation: 1 }], now);
  await tasks.start('n0', 1, [{ taskId: retried, lease: a.lease, startedAt: now + 1 }]);
  const err = { message: 'boom', retryable: true };
  await tasks.finish(
    'n0',
    1,
    [{ taskId: retried, lease: a.lease, startedAt: now + 1, error: err, retry: RETRY, random: 0 }],
    now + 2,
  );
  await tasks.cancel(ids[63], now + 3);
  // `gone-node` re-registers: its incarnation 1 is stale
  await reg('gone-node', 10);
  const dump = {};
  for (const key of (await redis.keys('*')).sort()) {
    dump[key] = { v: (await redis.dumpBuffer(key)).toString('base64'), ttl: await redis.pttl(key) };
  }
  return { now: now + 10_000, ids, dump };
}

async function keyDump(redis) {
  const out = {};
  for (const key of (await redis.keys('*')).sort()) {
    const type = await redis.type(key);
    let v;
    if (type === 'string') v = await redis.get(key);
    else if (type === 'hash') v = Object.entries(await redis.hgetall(key)).sort();
    else if (type === 'zset') v = await redis.zrange(key, 0, -1, 'WITHSCORES');
    else if (type === 'list') v = await redis.lrange(key, 0, -1);
    else if (type === 'set') v = (await redis.smembers(key)).sort();
    else if (type === 'stream') v = (await redis.xrange(key, '-', '+')).map(([, f]) => f);
    out[key] = { type, v, expires: (await redis.pttl(key)) >= 0 };
  }
  return out;
}

async function scenario(redis, port, state) {
  const { config, tasks, nodes } = stores(redis, port);
  for (const [key, { v, ttl }] of Object.entries(state.dump)) {
    await redis.restore(key, ttl > 0 ? ttl : 0, Buffer.from(v, 'base64'));
  }
  const sub = new Redis({ port, maxRetriesPerRequest: 1 });
  try {
    return await run(sub);
  } finally {
    sub.disconnect();
  }
  async function run(sub) {
    const messages = [];
    sub.on('pmessage', (_p, channel, message) => messages.push([channel, message]));
    await sub.psubscribe(`${PREFIX}:*`);
    const log = [];
    const step = async (name, fn) => {
      try {
        log.push([name, await fn()]);
      } catch (err) {
        log.push([name, `error: ${err.message}`]);
        if (name === 'readHeads' || name === 'assign') throw err;
      }
    };
    let now = state.now;
    const heads = new Map([
      ['alpha', 30],
      ['beta', 30],
      ['gamma', 30],
    ]);
    const ahead = {
      room: new Map([
        ['alpha', 5],
        ['beta', 5],
      ]),
      skip: new Map(),
    };
    let read;
    await step(
      'readHeads',
      async () =>
        (read = await tasks.readHeads(heads, { maxPromotions: 10, maxTypes: 16 }, now, ahead)),
    );
    const order = read.heads.map((h) => h.id);
    const targets = [
      ['n0', 1],
      ['n1', 1],
      ['n2', 1],
      ['n3', 1],
      ['n4', 1],
      ['tiny', 1],
      ['gone-node', 1],
      ['dead', 1],
      ['n5', 1],
      ['n0', 1],
    ];
    const decisions = order.slice(0, 45).map((taskId, i) => {
      const [nodeId, incarnation] = targets[i % targets.length];
      return { taskId, nodeId, incarnation };
    });
    decisions.splice(5, 0, { taskId: '01ZZZZZZZZZZZZZZZZZZZZZZZZ', nodeId: 'n1', incarnation: 1 });
    decisions.splice(9, 0, { ...decisions[2] });
    decisions.push({ taskId: state.ids[63], nodeId: 'n2', incarnation: 1 }); // cancelled
    const big = state.ids[60];
    if (!decisions.some((d) => d.taskId === big))
      decisions.push({ taskId: big, nodeId: 'n3', incarnation: 1 });
    const limits = new Map([
      ['beta', { maxRunning: 12 }],
      ['gamma', { maxStartsPerSecond: 9 }],
    ]);
    const rest = order.slice(45);
    const standby = {
      ttlMs: 5000,
      hints: rest
        .map((taskId, i) => ({
          taskId,
          nodeId: ['n0', 'n0', 'n1', 'dead', 'tiny'][i % 5],
          incarnation: 1,
        }))
        .concat([{ taskId: decisions[0].taskId, nodeId: 'n4', incarnation: 1 }]),
    };
    const announce = { channelBase: `${PREFIX}:node.assigned:`, maxBytes: 2048 };
    let first;
    await step(
      'assign',
      async () =>
        (first = await tasks.assignAndHint('1:eq', decisions, now, limits, announce, standby)),
    );
    now += 5;
    const left = (await tasks.readHeads(heads, { maxPromotions: 10, maxTypes: 16 }, now)).heads.map(
      (h) => h.id,
    );
    log.push(['readHeads2', left]);
    await step('assignNoChannel', () =>
      tasks.assign(
        '1:eq',
        left.slice(0, 8).map((taskId, i) => ({ taskId, nodeId: `n${i % 3}`, incarnation: 1 })),
        now,
      ),
    );
    await step('notLeader', () => tasks.assign('2:other', decisions.slice(0, 2), now));
    now += 5;
    const ok = first.results.filter((r) => r.ok);
    const mine = ok.filter((r) => r.nodeId === 'n0').slice(0, 4);
    await step('start', () =>
      tasks.start(
        'n0',
        1,
        mine.map((r) => ({ taskId: r.taskId, lease: r.lease, startedAt: now })),
      ),
    );
    now += 5;
    await step('finishAndRefill', () =>
      tasks.finishAndRefill(
        'n0',
        1,
        mine.map((r, i) => ({
          taskId: r.taskId,
          lease: r.lease,
          startedAt: now - 5,
          retry: RETRY,
          random: 0,
          ...(i % 2 === 0
            ? { resultJson: '{"ok":true}' }
            : { error: { message: 'bad', retryable: i === 1 } }),
        })),
        now,
        `${PREFIX}:tasks.finished`,
      ),
    );
    await step('cancel', () => tasks.cancel(ok[5].taskId, now));
    await step('retry', () => tasks.retry(mine[3].taskId, now));
    await step('leave', () => nodes.leave('n1', 1, now));
    await step('drain', () => nodes.drain('n2', 1));
    await sub.ping(); // its reply comes after every message published before it
    void config;
    return { log, messages, keys: await keyDump(redis) };
  }
}

(async () => {
  const { port, redis, stop } = await startOwnRedis();
  try {
    if (arg('setup')) {
      fs.writeFileSync(arg('setup'), JSON.stringify(await setup(redis, port)));
    } else {
      const state = JSON.parse(fs.readFileSync(arg('state'), 'utf8'));
      fs.writeFileSync(arg('out'), JSON.stringify(await scenario(redis, port, state), null, 1));
    }
  } finally {
    stop();
  }
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
