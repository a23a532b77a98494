--[[ heartbeat: a node says it is alive. A suspect node becomes alive again; a node that was
  declared dead (or replaced by a newer incarnation) is told so and must re-register.
KEYS[1]  key base
ARGV[1]  node id   ARGV[2] incarnation   ARGV[3] now
Reply: the node's status after the beat, or 'stale'
]]
local id, inc, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local nk = K .. 'n:' .. id
local cur = redis.call('HMGET', nk, 'inc', 'st')
if tonumber(cur[1]) ~= inc or cur[2] == 'dead' or cur[2] == false then
  return 'stale'
end
redis.call('HSET', nk, 'hb', now)
redis.call('ZADD', K .. 'hb', now, id)
if cur[2] == 'suspect' then
  redis.call('HSET', nk, 'st', 'alive')
  redis.call('INCR', K .. 'nodes:ver')
  emit_event('node', id, 'alive', nil, nil)
  flush_events()
  return 'alive'
end
return cur[2]
