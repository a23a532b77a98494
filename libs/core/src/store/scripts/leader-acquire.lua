--[[ leader-acquire: take the leader lease if it is free, or renew it if we hold it.
  Every new acquisition increments the epoch; writes that only a leader may do compare the
  full lease value "<epoch>:<token>" inside their scripts.
KEYS[1]  key base
ARGV[1]  token   ARGV[2] ttl (ms)
Reply: the lease value we hold, or false when another dispatcher holds it
]]
local token, ttl = ARGV[1], tonumber(ARGV[2])
local cur = redis.call('GET', K .. 'leader')
if cur then
  local sep = string.find(cur, ':', 1, true)
  if string.sub(cur, sep + 1) == token then
    redis.call('PEXPIRE', K .. 'leader', ttl)
    return cur
  end
  return false
end
local epoch = redis.call('INCR', K .. 'epoch')
local value = epoch .. ':' .. token
redis.call('SET', K .. 'leader', value, 'PX', ttl)
return value
