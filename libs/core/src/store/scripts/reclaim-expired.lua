--[[ reclaim-expired: take back tasks whose lease deadline (assigned at + timeout + lease grace,
  held in the score in nl:<node>, see lease_score) has passed, even when their node still
  heartbeats. The attempt counts and ends with a retryable timeout error; the task is re-queued,
  or fails when its attempts are exhausted. The node's late report for it is then stale.
KEYS[1]  key base
ARGV[1]  leader lease value   ARGV[2] now   ARGV[3] aging step (ms)   ARGV[4] failed cap
ARGV[5]  most tasks reclaimed
Reply: flat list: node, task id, lease, outcome ('queued' | 'failed'), ...
Error: NOTLEADER when the lease value does not match (nothing is written).
]]
if redis.call('GET', K .. 'leader') ~= ARGV[1] then
  return redis.error_reply('NOTLEADER the leader lease is held by another dispatcher or expired')
end
local now, aging, failedCap, most = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local out = {}
local taken = 0
local expiredFrom = lease_score(now)
for _, node in ipairs(redis.call('SMEMBERS', K .. 'nodes')) do
  if taken >= most then
    break
  end
  local lk = K .. 'nl:' .. node
  -- expired: a score of at least LEASE_TOP - now (lease_score, _prelude.lua), or at most now for
  -- a lease scored by its deadline itself (written before lease_score)
  local ids = redis.call('ZRANGEBYSCORE', lk, expiredFrom, '+inf', 'LIMIT', 0, most - taken)
  if #ids < most - taken then
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', lk, '-inf', now, 'LIMIT', 0, most - taken - #ids)) do
      ids[#ids + 1] = id
    end
  end
  for _, id in ipairs(ids) do
    redis.call('ZREM', lk, id)
    local raw = redis.call('GET', K .. 't:' .. id)
    if raw then
      local h, rest = split(raw)
      if (h.s == 'assigned' or h.s == 'running') and h.n == node and may(h.s, 'queued') then
        local lease, inc = h.l, h.i
        local message = 'lease expired: no result within timeoutMs (' .. h.to .. ' ms) plus LEASE_GRACE_MS'
        local att = current_attempt(h)
        if att then
          att.ea = now
          att.o = 'expired'
          att.m = message
        end
        h.e = { m = message, c = 'timeout', r = true }
        adjust_usage(node, inc, -h.sl, -(h.cpu or 0), -(h.mem or 0), nil)
        release_type_lease(id, h)
        local outcome = 'queued'
        if h.a >= h.ma then
          mark_failed(id, h, rest, now, failedCap)
          outcome = 'failed'
        else
          enqueue(id, h, rest, now, aging)
        end
        taken = taken + 1
        table.insert(out, node)
        table.insert(out, id)
        table.insert(out, lease)
        table.insert(out, outcome)
      end
    end
  end
end
flush_events()
return out
