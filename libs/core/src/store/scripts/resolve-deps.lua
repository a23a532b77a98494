--[[ resolve-deps: the leader settles the dependents of finished tasks, in bounded steps.
  For each task in the "resolving" set: if it succeeded, each blocked dependent has one fewer
  dependency to wait for and is queued (or delayed) when none is left; if it failed, was
  cancelled or is gone, each blocked dependent fails naming it (and, if others wait on that
  one, it joins the resolving set in turn). A task that is live again (retried by an operator)
  keeps its dependents until it ends again.
KEYS[1]  key base
ARGV[1]  now   ARGV[2] aging step (ms)   ARGV[3] failed cap   ARGV[4] most dependents to settle
Reply: { dependents settled, tasks still to resolve }
]]
local now, aging, failedCap, budget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local settled = 0

-- Settles up to the remaining budget of dep's dependents; true when none is left.
local function settle(dep)
  local raw = redis.call('GET', K .. 't:' .. dep)
  local outcome = raw and split(raw).s or 'gone'
  if outcome ~= 'succeeded' and outcome ~= 'failed' and outcome ~= 'cancelled' and outcome ~= 'gone' then
    return true
  end
  local ids = redis.call('SPOP', K .. 'dp:' .. dep, budget - settled)
  for _, id in ipairs(ids) do
    settled = settled + 1
    local traw = redis.call('GET', K .. 't:' .. id)
    if traw then
      local h, rest = split(traw)
      if h.s == 'blocked' then
        if outcome == 'succeeded' then
          h.bw = (h.bw or 1) - 1
          if h.bw <= 0 then
            release_blocked(id, h, rest, now, aging)
          else
            h.u = now
            redis.call('SET', K .. 't:' .. id, join(h, rest))
          end
        elseif may('blocked', 'failed') then
          redis.call('SREM', K .. 'blocked', id)
          h.bw = nil
          h.e = dependency_error(dep, outcome)
          mark_failed(id, h, rest, now, failedCap)
        end
      end
    end
  end
  return redis.call('SCARD', K .. 'dp:' .. dep) == 0
end

while settled < budget do
  local dep = redis.call('SPOP', K .. 'resolving')
  if not dep then
    break
  end
  if not settle(dep) then
    redis.call('SADD', K .. 'resolving', dep)
    break
  end
end
flush_events()
return { settled, redis.call('SCARD', K .. 'resolving') }
