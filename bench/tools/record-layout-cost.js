#!/usr/bin/env node
// What a finish-like success write costs Redis per task, by record layout (callgrind): real
// leased records (submit, read-heads and assign of the core's scripts, one node), then the same
// tasks written eight ways by EVAL scripts, each over its own copy of the records:
//   string   as finish.lua's fast path: MGET, match FINISH_HEAD (read from finish.lua), rewrite
//            the header, SET with PX (the record keeps its payload, so the payload is read and
//            written again)
//   hash     the record as a hash (header, payload): HGET the header, HSET the new header and
//            the result, PEXPIRE; the payload stays untouched in Redis
//   tail     one string with the header line last ("<payload>\n<header>\n"): GETRANGE of the
//            record's last TAIL_READ bytes, match, SETRANGE of the result and the new header
//            over the old one (at STRLEN minus its length), PEXPIRE; the payload is not read
//   apart    the header line in a key of its own beside the payload's: MGET of the header
//            keys, match, SET PX of the new header, PEXPIRE of the payload's key
//   copy     MGET and SET of the same text (no match, nothing built): what reading and writing
//            the record costs on its own
//   read     MGET alone
//   expire   MGET and a PEXPIRE per record: what one more command per task costs
//   match    MGET and the header match only
// and MEMORY USAGE of one record in each layout (apart: the payload's key alone). Evidence for
// what a layout change could save (bench/README.md, fifteenth and sixteenth passes), not a model
// of the whole finish call.
//   node bench/tools/record-layout-cost.js [--core libs/core/dist] [--tasks 1600] [--batch 16]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ownStores } = require('./own-redis');
const { arg } = require('./tool-args');
const { underCallgrind } = require('./callgrind-redis');
const { registerNoopNode } = require('./fake-cluster');

const CORE = arg('core', 'libs/core/dist');
const core = require(path.resolve(CORE));
const TASKS = Number(arg('tasks', '1600'));
const BATCH = Number(arg('batch', '16'));
// the tail layout reads this many bytes from a record's end: its header line and some payload
const TAIL_READ = 256;

// finish.lua's FINISH_HEAD, as the script has it
function finishHead() {
  const text = fs.readFileSync(path.resolve(CORE, 'store/scripts/finish.lua'), 'utf8');
  const m = /local FINISH_HEAD = ('[^']*')\s*\.\.\s*('[^']*')/.exec(text);
  if (m === null) throw new Error('FINISH_HEAD not found in finish.lua');
  return `${m[1]} .. ${m[2]}`;
}

// KEYS: the records (string layout: `<key>`, hash layout: `<key>:h`); ARGV[1]: now (text)
function scripts(head) {
  const rewrite = `'s|' .. kept .. now .. '|' .. lnli .. now .. '|' .. now .. '|' .. as .. '|' .. now .. '|' .. now .. '|succeeded|'`;
  return {
    string: `local now, raws = ARGV[1], redis.call('MGET', unpack(KEYS))
for i = 1, #KEYS do
  local raw = raws[i]
  local st, kept, ty, l, sl, cpu, mem, lnli, sa, as, asa, pc, p0 = string.match(raw, ${head})
  local nl = string.find(raw, '\\n', p0 + 1, true)
  redis.call('SET', KEYS[i], ${rewrite} .. string.sub(raw, pc, nl and nl - 1 or -1) .. '\\nnull', 'PX', '3600000')
end
return #raws`,
    hash: `local now = ARGV[1]
for i = 1, #KEYS do
  local raw = redis.call('HGET', KEYS[i], 'h')
  local st, kept, ty, l, sl, cpu, mem, lnli, sa, as, asa, pc, p0 = string.match(raw, ${head})
  redis.call('HSET', KEYS[i], 'h', ${rewrite} .. string.sub(raw, pc, p0 - 1) .. '\\n', 'r', 'null')
  redis.call('PEXPIRE', KEYS[i], '3600000')
end
return #KEYS`,
    tail: `local now, fin = ARGV[1], 'null\\n'
for i = 1, #KEYS do
  local key = KEYS[i]
  local tail = string.match(redis.call('GETRANGE', key, '-${TAIL_READ}', '-1'), '\\n([^\\n]*\\n)$')
  local st, kept, ty, l, sl, cpu, mem, lnli, sa, as, asa, pc, p0 = string.match(tail, ${head})
  redis.call('SETRANGE', key, redis.call('STRLEN', key) - #tail,
    fin .. ${rewrite} .. string.sub(tail, pc, p0 - 1) .. '\\n')
  redis.call('PEXPIRE', key, '3600000')
end
return #KEYS`,
    apart: `local now, states = ARGV[1], {}
for i = 1, #KEYS do
  states[i] = KEYS[i] .. ':s'
end
local raws = redis.call('MGET', unpack(states))
for i = 1, #KEYS do
  local raw = raws[i]
  local st, kept, ty, l, sl, cpu, mem, lnli, sa, as, asa, pc, p0 = string.match(raw, ${head})
  redis.call('SET', states[i], ${rewrite} .. string.sub(raw, pc, p0 - 1) .. '\\n', 'PX', '3600000')
  redis.call('PEXPIRE', KEYS[i], '3600000')
end
return #raws`,
    copy: `local raws = redis.call('MGET', unpack(KEYS))
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], raws[i], 'PX', '3600000')
end
return #raws`,
    read: `local raws = redis.call('MGET', unpack(KEYS))
return #raws`,
    expire: `local raws = redis.call('MGET', unpack(KEYS))
for i = 1, #KEYS do
  redis.call('PEXPIRE', KEYS[i], '3600000')
end
return #raws`,
    match: `local raws = redis.call('MGET', unpack(KEYS))
for i = 1, #KEYS do
  local st = string.match(raws[i], ${head})
end
return #raws`,
  };
}

/** Queues, reads and assigns TASKS no-op tasks to one node; returns their record keys. */
async function leasedRecords(stores) {
  const { config, tasks, nodes, keys } = stores;
  const inc = await registerNoopNode(nodes, 'w1', 1e6);
  const payload = { pad: 'x'.repeat(246) };
  for (let s = 0; s < TASKS; s += 500) {
    const now = Date.now();
    const specs = Array.from({ length: Math.min(500, TASKS - s) }, () =>
      core.toTaskSpec({ type: 'noop', payload }, config, now),
    );
    await tasks.submit(specs, now);
  }
  const leased = [];
  while (leased.length < TASKS) {
    const { heads } = await tasks.readHeads(new Map([['noop', 500]]), {
      maxPromotions: 500,
      maxTypes: 16,
    });
    const decisions = heads.map((h) => ({ taskId: h.id, nodeId: 'w1', incarnation: inc }));
    const r = await tasks.assign('1:bench', decisions, Date.now(), new Map(), undefined);
    r.forEach((a) => a.ok && leased.push(keys.task(a.taskId)));
  }
  return leased;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'record-layout-'));
  const own = await underCallgrind(path.join(dir, 'cg.out'));
  const redis = own.redis;
  try {
    const stores = ownStores(core, own, 'rl');
    await redis.set(stores.keys.leader, '1:bench');
    const records = await leasedRecords(stores);
    const layouts = scripts(finishHead());
    const memory = {};
    for (const name of Object.keys(layouts)) {
      // each layout writes its own copy of the records
      const copies = records.map((k) => `${k}:${name}`);
      for (let i = 0; i < records.length; i++) {
        const raw = await redis.get(records[i]);
        const nl = raw.indexOf('\n');
        if (name === 'hash') {
          await redis.hset(copies[i], 'h', raw.slice(0, nl + 1), 'p', raw.slice(nl + 1));
        } else if (name === 'tail') {
          await redis.set(copies[i], `${raw.slice(nl + 1)}\n${raw.slice(0, nl)}\n`);
        } else if (name === 'apart') {
          await redis.set(copies[i], raw.slice(nl + 1));
          await redis.set(`${copies[i]}:s`, raw.slice(0, nl + 1));
        } else await redis.set(copies[i], raw);
      }
      memory[name] = await redis.memory('USAGE', copies[0]);
      const sha = await redis.script('LOAD', layouts[name]);
      // a warm-up batch, then the counted ones
      await redis.evalsha(sha, BATCH, ...copies.slice(0, BATCH), String(Date.now()));
      own.dump();
      for (let s = BATCH; s < copies.length; s += BATCH) {
        const batch = copies.slice(s, s + BATCH);
        await redis.evalsha(sha, batch.length, ...batch, String(Date.now()));
      }
      const per = own.dump() / (copies.length - BATCH);
      console.log(
        `${name.padEnd(6)} ${Math.round(per).toLocaleString('en').padStart(7)} instructions per task` +
          ` (batches of ${BATCH}); one record: ${memory[name]} B (MEMORY USAGE, before the write)`,
      );
    }
  } finally {
    await redis.shutdown('NOSAVE').catch(() => {});
    redis.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
