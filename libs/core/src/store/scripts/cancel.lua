--[[ cancel: end a live task as cancelled, from whatever live state it is in.
KEYS[1]  key base
ARGV[1]  task id   ARGV[2] now   ARGV[3] finished retention (ms)   ARGV[4] finished list cap
Reply: {'ok', previous state, node ('' if none), incarnation, lease} | {'gone'} | {'illegal', state}
]]
local id, now, retainMs, cap = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local raw = redis.call('GET', K .. 't:' .. id)
if not raw then
  return { 'gone' }
end
local h, rest = split(raw)
if not may(h.s, 'cancelled') then
  return { 'illegal', h.s }
end
local prev, node, inc = h.s, h.n or '', h.i or 0
if prev == 'queued' then
  redis.call('ZREM', K .. 'q:' .. h.ty, id)
elseif prev == 'delayed' then
  redis.call('ZREM', K .. 'delayed', id)
elseif prev == 'blocked' then
  redis.call('SREM', K .. 'blocked', id)
elseif prev == 'assigned' or prev == 'running' then
  redis.call('ZREM', K .. 'nl:' .. node, id)
  release_type_lease(id, h)
  adjust_usage(node, inc, -h.sl, -(h.cpu or 0), -(h.mem or 0), nil)
  local att = current_attempt(h)
  if att then
    att.ea = now
    att.o = 'cancelled'
  end
end
h.s = 'cancelled'
h.f = now
h.u = now
h.n = nil
h.i = nil
mark_finished(id, h, rest, retainMs)
trim_finished({ id }, cap)
redis.call('HINCRBY', K .. 'stats', 'cancelled', 1)
flush_events()
return { 'ok', prev, node, inc, h.l }
