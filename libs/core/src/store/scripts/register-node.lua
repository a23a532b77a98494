--[[ register-node: a worker joins as a new incarnation. Tasks still leased to an earlier
  incarnation of the same id (it crashed and came back before being declared dead) are
  taken back first; that attempt counts.
KEYS[1]  key base
ARGV[1]  node id   ARGV[2] now   ARGV[3] aging step   ARGV[4] failed cap
ARGV[5]  types JSON   ARGV[6] slots   ARGV[7] cpu   ARGV[8] memory MB   ARGV[9] labels JSON
ARGV[10] hostname   ARGV[11] pid
Reply: {incarnation, requeued, failed}
]]
local id, now, aging, failedCap = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
-- capacity: finite, non-negative numbers (tonumber also reads 'nan' and 'inf')
local function amount(v)
  local x = tonumber(v)
  if x and x >= 0 and x < math.huge then
    return x
  end
end
local cs, cc, cm = amount(ARGV[6]), amount(ARGV[7]), amount(ARGV[8])
if not (cs and cc and cm) then
  return redis.error_reply('ERR node capacity must be finite non-negative numbers')
end
local nk = K .. 'n:' .. id
local prev = node_state(id)
-- (a node hash of the layout before the node-state hash keeps its incarnation in 'inc')
local inc = (prev and prev.inc or tonumber(redis.call('HGET', nk, 'inc')) or 0) + 1
local released = release_leases(id, now, aging, 'lost', true, failedCap)
redis.call('DEL', nk)
redis.call('HSET', nk, 'ty', ARGV[5], 'lb', ARGV[9], 'hn', ARGV[10], 'pid', ARGV[11], 'ra', now, 'hb', now)
save_node(id, { inc = inc, st = 'alive', cs = cs, cc = cc, cm = cm, us = 0, uc = 0, um = 0, lc = '' })
redis.call('SADD', K .. 'nodes', id)
redis.call('ZADD', K .. 'hb', now, id)
redis.call('INCR', K .. 'nodes:ver')
emit_event('node', id, 'alive', nil, nil)
flush_events()
return { inc, released[1], released[2] }
