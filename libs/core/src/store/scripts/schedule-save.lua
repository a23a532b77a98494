--[[ schedule-save: store a new recurring schedule, within MAX_SCHEDULES.
KEYS[1]  key base
ARGV[1]  schedule id   ARGV[2] definition JSON   ARGV[3] first due time   ARGV[4] max schedules
Reply: 1
Error: SCHEDULES when MAX_SCHEDULES schedules exist already (nothing is written).
]]
local sid, def, due, max = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('ZCARD', K .. 'sc:due') >= max then
  return redis.error_reply('SCHEDULES there are already ' .. max .. ' schedules (MAX_SCHEDULES)')
end
redis.call('HSET', K .. 'sc:' .. sid, 'def', def, 'fired', 0)
redis.call('ZADD', K .. 'sc:due', due, sid)
return 1
