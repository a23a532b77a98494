--[[ drain-node: a node stops taking work (alive|suspect -> draining). The assign script only
  picks alive nodes, so nothing new reaches it; what it runs may finish.
KEYS[1]  key base
ARGV[1]  node id   ARGV[2] incarnation
Reply: 'draining', or 'stale' when that incarnation is not registered (or was declared dead)
]]
local node = node_state(ARGV[1])
if not node or node.inc ~= tonumber(ARGV[2]) or node.st == 'dead' then
  return 'stale'
end
if node.st ~= 'draining' then
  save_node_status(ARGV[1], node, 'draining')
  redis.call('INCR', K .. 'nodes:ver')
  emit_event('node', ARGV[1], 'draining', nil, nil)
  flush_events()
end
return 'draining'
