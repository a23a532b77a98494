--[[ retry: an operator re-queues a failed or cancelled task with a fresh attempt budget.
  Its attempt history is kept; the finished-task retention ends (the record persists again).
KEYS[1]  key base
ARGV[1]  task id   ARGV[2] now   ARGV[3] aging step (ms)
Reply: {'ok', previous state} | {'gone'} | {'illegal', state}
]]
local id, now, aging = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local raw = redis.call('GET', K .. 't:' .. id)
if not raw then
  return { 'gone' }
end
local h, rest = split(raw)
if (h.s ~= 'failed' and h.s ~= 'cancelled') or not may(h.s, 'queued') then
  return { 'illegal', h.s }
end
local prev = h.s
if prev == 'failed' then
  redis.call('ZREM', K .. 'failed', id)
else
  redis.call('LREM', K .. 'done', 0, id)
end
h.a = 0
h.e = nil
h.f = nil
h.sa = nil
h.pg = nil
-- SET without PX in enqueue drops the retention TTL of a cancelled task
enqueue(id, h, payload_part(rest), now, aging)
redis.call('HINCRBY', K .. 'stats', 'requeued', 1)
flush_events()
return { 'ok', prev }
