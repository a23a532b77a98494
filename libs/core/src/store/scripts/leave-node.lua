--[[ leave-node: a draining node hands back what it did not finish and leaves the registry.
  The handed-back attempts do not count against maxAttempts (the node chose to stop, the task
  did not fail). A newer incarnation of the same id is left alone.
KEYS[1]  key base
ARGV[1]  node id   ARGV[2] incarnation   ARGV[3] now   ARGV[4] aging step (ms)   ARGV[5] failed cap
Reply: {requeued, failed}, or 'stale' when that incarnation is no longer the registered one
]]
local id, inc, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local node = node_state(id)
if not node or node.inc ~= inc then
  return 'stale'
end
local released = release_leases(id, now, tonumber(ARGV[4]), 'handed-back', false, tonumber(ARGV[5]))
redis.call('DEL', K .. 'n:' .. id)
redis.call('HDEL', K .. 'ns', id)
redis.call('SREM', K .. 'nodes', id)
redis.call('ZREM', K .. 'hb', id)
redis.call('INCR', K .. 'nodes:ver')
emit_event('node', id, 'left', nil, nil)
flush_events()
return released
