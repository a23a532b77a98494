--[[ fire-schedule: the leader fires one due schedule tick and moves the schedule on.
  The (schedule, tick) key is set-if-absent in the same script that creates the task, so a
  tick creates at most one task however many dispatchers try; the schedule moves on only
  from the due time the caller read, so two callers cannot both advance it.
KEYS[1]  key base
ARGV[1]  leader lease value   ARGV[2] now   ARGV[3] schedule id   ARGV[4] due time read
ARGV[5]  next due time        ARGV[6] tick to fire ('' = none: missed ticks are skipped)
ARGV[7]  tick key ttl (ms)    ARGV[8] max queued per type
ARGV[9]  task id  ARGV[10] task type  ARGV[11] queue score  ARGV[12] task record
Reply: { outcome, task id }   outcome: fired | duplicate | skipped | full | moved
Error: NOTLEADER when the lease value does not match (nothing is written).
]]
if redis.call('GET', K .. 'leader') ~= ARGV[1] then
  return redis.error_reply('NOTLEADER the leader lease is held by another dispatcher or expired')
end
local now, sid, due, nextDue, tick = tonumber(ARGV[2]), ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local ttl, maxQueued = tonumber(ARGV[7]), tonumber(ARGV[8])
local id, ty, score, record = ARGV[9], ARGV[10], ARGV[11], ARGV[12]
local sk = K .. 'sc:' .. sid

local current = redis.call('ZSCORE', K .. 'sc:due', sid)
if not current or tonumber(current) ~= tonumber(due) or redis.call('EXISTS', sk) == 0 then
  return { 'moved', '' }
end
local outcome = 'skipped'
if tick ~= '' then
  if not redis.call('SET', K .. 'sf:' .. sid .. ':' .. tick, id, 'NX', 'PX', ttl) then
    outcome = 'duplicate'
  elseif redis.call('ZCARD', K .. 'q:' .. ty) >= maxQueued then
    outcome = 'full'
  else
    redis.call('SET', K .. 't:' .. id, record)
    redis.call('ZADD', K .. 'q:' .. ty, score, id)
    redis.call('SADD', K .. 'types', ty)
    redis.call('HINCRBY', K .. 'stats', 'submitted', 1)
    emit_event('task', id, 'queued', ty, nil)
    redis.call('HSET', sk, 'lt', tick, 'lk', id)
    redis.call('HINCRBY', sk, 'fired', 1)
    outcome = 'fired'
  end
end
redis.call('ZADD', K .. 'sc:due', 'XX', nextDue, sid)
flush_events()
return { outcome, outcome == 'fired' and id or '' }
