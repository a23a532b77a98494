#!/usr/bin/env node
// emit_event/flush_events of two preludes, fed the same random event sequences inside one EVAL
// (an own redis-server; redis.call shadowed to capture the XADD body): prints SAME and the bytes
// compared, or DIFF with the first sequence's two bodies.
//   node bench/tools/events-equivalence.js <old _prelude.lua> <new _prelude.lua> [trials]
const fs = require('node:fs');
const { startOwnRedis } = require('./own-redis');

function events(path) {
  const s = fs.readFileSync(path, 'utf8');
  return s.slice(s.indexOf('local EVENTS = {}'), s.indexOf('local function may(from, to)'));
}

const block = (code) => `do
local K = 'k:'
local EVENTS_MAXLEN = 100
local got = {}
local redis = { call = function(...) got[#got + 1] = select(8, ...) end }
${code}
runs[#runs + 1] = function(seq)
  for _, ev in ipairs(seq) do
    if ev == 'flush' then flush_events() else emit_event(ev[1], ev[2], ev[3], ev[4], ev[5]) end
  end
  flush_events()
  local out = table.concat(got, '\\n')
  got = {}
  EVENTS = {}
  return out
end
end
`;

const script = (a, b) => `local runs = {}
${block(a)}${block(b)}
math.randomseed(tonumber(ARGV[1]))
local kinds = { 'task', 'node', 'progress' }
local states = { 'queued', 'assigned', 'running', 'alive' }
local tys = { 'a', 'b', false }
local nodes = { 'n1', 'n2', false }
local checked = 0
for _ = 1, tonumber(ARGV[2]) do
  local seq = {}
  for i = 1, math.random(0, 12) do
    if math.random() < 0.08 then
      seq[i] = 'flush'
    else
      local ty, node = tys[math.random(3)], nodes[math.random(3)]
      seq[i] = { kinds[math.random(3)], 'id' .. i, states[math.random(4)], ty or nil, node or nil }
    end
  end
  local x, y = runs[1](seq), runs[2](seq)
  if x ~= y then
    return { 'DIFF', x, y }
  end
  checked = checked + #x
end
return { 'SAME', checked }
`;

(async () => {
  const [oldPath, newPath, trials = '3000'] = process.argv.slice(2);
  const { redis, stop } = await startOwnRedis();
  try {
    const reply = await redis.eval(script(events(oldPath), events(newPath)), 0, 42, trials);
    console.log(reply.join('\n'));
    if (reply[0] !== 'SAME') process.exitCode = 1;
  } finally {
    stop();
  }
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
