--[[ leader-release: give the lease up (graceful shutdown) so a standby takes over at once.
KEYS[1]  key base
ARGV[1]  lease value
Reply: 1 if released, 0 if we did not hold it
]]
if redis.call('GET', K .. 'leader') == ARGV[1] then
  redis.call('DEL', K .. 'leader')
  return 1
end
return 0
