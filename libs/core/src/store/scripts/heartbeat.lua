--[[ heartbeat: a node says it is alive. A suspect node becomes alive again; a node that was
  declared dead (or replaced by a newer incarnation) is told so and must re-register.
KEYS[1]  key base
ARGV[1]  node id   ARGV[2] incarnation   ARGV[3] now
Reply: the node's status after the beat, or 'stale'
]]
local id, inc, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local node = node_state(id)
if not node or node.inc ~= inc or node.st == 'dead' then
  return 'stale'
end
redis.call('HSET', K .. 'n:' .. id, 'hb', now)
redis.call('ZADD', K .. 'hb', now, id)
if node.st == 'suspect' then
  save_node_status(id, node, 'alive')
  redis.call('INCR', K .. 'nodes:ver')
  emit_event('node', id, 'alive', nil, nil)
  flush_events()
  return 'alive'
end
return node.st
