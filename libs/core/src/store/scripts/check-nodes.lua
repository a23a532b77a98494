--[[ check-nodes: the leader's health check, in one atomic step. A node silent longer than the
  suspect threshold becomes suspect (it gets no new work); one silent longer than the dead
  threshold is declared dead: its assigned and running tasks are re-queued (the attempt counts;
  an exhausted task fails), its slots are freed, its leases revoked (its later reports are stale)
  and a later heartbeat of that incarnation answers 'stale', so it re-registers.
  Silence counts from the later of the last heartbeat and ARGV[5] (when this leader began to
  watch): a new leader, or one back from a Redis outage, gives every node a full period.
KEYS[1]  key base
ARGV[1]  leader lease value ("<epoch>:<token>")   ARGV[2] now   ARGV[3] suspect after (ms)
ARGV[4]  dead after (ms)   ARGV[5] watching since   ARGV[6] aging step (ms)   ARGV[7] failed cap
ARGV[8]  most nodes examined
Reply: { {suspect node id, ...}, {dead node id, incarnation, requeued, failed, ...} }
Error: NOTLEADER when the lease value does not match (nothing is written).
]]
if redis.call('GET', K .. 'leader') ~= ARGV[1] then
  return redis.error_reply('NOTLEADER the leader lease is held by another dispatcher or expired')
end
local now, suspectAfter, deadAfter = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local since, aging, failedCap, most = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])

local silent = redis.call('ZRANGEBYSCORE', K .. 'hb', '-inf', now - suspectAfter, 'WITHSCORES', 'LIMIT', 0, most)
local suspects, dead = {}, {}
for j = 1, #silent, 2 do
  local id = silent[j]
  local quiet = now - math.max(tonumber(silent[j + 1]), since)
  local node = node_state(id)
  if not node or node.st == 'dead' then
    redis.call('ZREM', K .. 'hb', id)
  elseif quiet > deadAfter then
    local released = release_leases(id, now, aging, 'lost', true, failedCap)
    node.us, node.uc, node.um = 0, 0, 0
    save_node_status(id, node, 'dead')
    redis.call('HSET', K .. 'n:' .. id, 'dd', now)
    redis.call('ZREM', K .. 'hb', id)
    emit_event('node', id, 'dead', nil, nil)
    table.insert(dead, id)
    table.insert(dead, node.inc)
    table.insert(dead, released[1])
    table.insert(dead, released[2])
  elseif quiet > suspectAfter and node.st == 'alive' then
    save_node_status(id, node, 'suspect')
    emit_event('node', id, 'suspect', nil, nil)
    table.insert(suspects, id)
  end
end
if #suspects + #dead > 0 then
  redis.call('INCR', K .. 'nodes:ver')
end
flush_events()
return { suspects, dead }
