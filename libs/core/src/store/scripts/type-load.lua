--[[ type-load: how much of each limited type's cluster-wide budget is in use, for planning.
  Drops leases past their deadline first (as assign.lua does), so the count heals itself.
KEYS[1]  key base
ARGV[1]  now   ARGV[2] m, then m task types
Reply: m pairs { running (leases held), starts in the current second }
]]
local now, m = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {}
for j = 1, m do
  local ty = ARGV[2 + j]
  redis.call('ZREMRANGEBYSCORE', K .. 'tl:' .. ty, '-inf', now)
  out[j] = {
    redis.call('ZCARD', K .. 'tl:' .. ty),
    tonumber(redis.call('GET', K .. 'ts:' .. ty .. ':' .. math.floor(now / 1000)) or '0'),
  }
end
return out
