--[[ drain-node: a node stops taking work (alive|suspect -> draining). The assign script only
  picks alive nodes, so nothing new reaches it; what it runs may finish.
KEYS[1]  key base
ARGV[1]  node id   ARGV[2] incarnation
Reply: 'draining', or 'stale' when that incarnation is not registered (or was declared dead)
]]
local nk = K .. 'n:' .. ARGV[1]
local cur = redis.call('HMGET', nk, 'inc', 'st')
if tonumber(cur[1]) ~= tonumber(ARGV[2]) or cur[2] == 'dead' or not cur[2] then
  return 'stale'
end
if cur[2] ~= 'draining' then
  redis.call('HSET', nk, 'st', 'draining')
  redis.call('INCR', K .. 'nodes:ver')
  emit_event('node', ARGV[1], 'draining', nil, nil)
  flush_events()
end
return 'draining'
