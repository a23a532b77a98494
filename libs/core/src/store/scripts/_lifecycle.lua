-- Task lifecycle helpers shared by every script: terminal states, dependents, released leases
-- (after _prelude.lua and _nodes.lua, whose helpers they use).

-- A task reached a terminal state: if others wait on it, the leader resolves them
-- (resolve-deps.lua) in bounded steps. O(1) here, whichever script ended the task.
local function note_terminal(id)
  if redis.call('EXISTS', K .. 'dp:' .. id) == 1 then
    redis.call('SADD', K .. 'resolving', id)
  end
end

-- note_terminal for a batch: one multi-key EXISTS per chunk answers "does any of them have
-- dependents?" (almost always no); only then is each one checked.
local function note_terminal_many(ids)
  for s = 1, #ids, BULK_CHUNK do
    local keys = {}
    for i = s, math.min(#ids, s + BULK_CHUNK - 1) do
      keys[#keys + 1] = K .. 'dp:' .. ids[i]
    end
    if redis.call('EXISTS', unpack(keys)) > 0 then
      for i = s, math.min(#ids, s + BULK_CHUNK - 1) do
        note_terminal(ids[i])
      end
    end
  end
end

-- A lease ended (finished, failed, handed back, lost, cancelled): the task no longer counts
-- against its type's cluster-wide running limit (TYPE_LIMITS).
local function release_type_lease(id, h)
  redis.call('ZREM', K .. 'tl:' .. h.ty, id)
end

-- blocked -> queued (or delayed when its runAt is still ahead): every dependency succeeded.
local function release_blocked(id, h, rest, now, aging)
  if not may('blocked', 'queued') then
    return 'blocked'
  end
  h.bw = nil
  redis.call('SREM', K .. 'blocked', id)
  if h.ra and h.ra > now and may('blocked', 'delayed') then
    h.s = 'delayed'
    h.u = now
    redis.call('SET', K .. 't:' .. id, join(h, rest))
    redis.call('ZADD', K .. 'delayed', h.ra, id)
    emit_event('task', id, 'delayed', h.ty, nil)
    return 'delayed'
  end
  enqueue(id, h, rest, now, aging)
  return 'queued'
end

-- Why a dependent fails when its dependency `dep` ended in `outcome` (failed | cancelled | gone).
local function dependency_error(dep, outcome)
  local why = 'failed'
  if outcome == 'cancelled' then
    why = 'was cancelled'
  elseif outcome == 'gone' then
    why = 'no longer exists'
  end
  return { m = 'dependency ' .. dep .. ' ' .. why, c = 'dependency', r = false }
end

local function mark_failed(id, h, rest, now, failedCap)
  h.s = 'failed'
  h.f = now
  h.u = now
  h.n = nil
  h.i = nil
  redis.call('SET', K .. 't:' .. id, join(h, rest))
  redis.call('ZADD', K .. 'failed', now, id)
  note_terminal(id)
  emit_event('task', id, 'failed', h.ty, nil)
  local excess = redis.call('ZCARD', K .. 'failed') - failedCap
  if excess > 0 then
    local old = redis.call('ZRANGE', K .. 'failed', 0, math.min(excess, 100) - 1)
    for _, oid in ipairs(old) do
      redis.call('DEL', K .. 't:' .. oid)
    end
    redis.call('ZREMRANGEBYRANK', K .. 'failed', 0, #old - 1)
  end
end

-- Marks a succeeded/cancelled task finished: kept for retainMs, listed in the capped "done" list.
-- deferNote: the caller runs note_terminal_many over its batch instead.
local function mark_finished(id, h, rest, retainMs, deferNote)
  redis.call('SET', K .. 't:' .. id, join(h, rest), 'PX', retainMs)
  if not deferNote then
    note_terminal(id)
  end
  emit_event('task', id, h.s, h.ty, nil)
end

-- Lists finished ids in the capped "done" list (trimmed only when the push passed the cap).
local function trim_finished(ids, cap)
  if #ids > 0 and redis.call('LPUSH', K .. 'done', unpack(ids)) > cap then
    redis.call('LTRIM', K .. 'done', '0', num_text(cap - 1))
  end
end

-- Takes back every task leased to `node` (any incarnation). count_attempt: the attempt
-- counts against maxAttempts (node lost) or is given back (graceful hand-back).
-- Returns the number of tasks re-queued and failed.
local function release_leases(node, now, aging, outcome, count_attempt, failedCap)
  local lk = K .. 'nl:' .. node
  local ids = redis.call('ZRANGE', lk, 0, -1)
  local requeued, failed = 0, 0
  for _, id in ipairs(ids) do
    local raw = redis.call('GET', K .. 't:' .. id)
    if raw then
      local h, rest = split(raw)
      if (h.s == 'assigned' or h.s == 'running') and h.n == node then
        release_type_lease(id, h)
        local att = current_attempt(h)
        if att then
          att.ea = now
          att.o = outcome
        end
        if not count_attempt then
          h.a = math.max(0, h.a - 1)
        end
        if count_attempt and h.a >= h.ma then
          h.e = { m = 'attempt ' .. h.a .. ' lost: ' .. outcome .. ' on node ' .. node, c = outcome, r = true }
          mark_failed(id, h, rest, now, failedCap)
          failed = failed + 1
        else
          enqueue(id, h, rest, now, aging)
          requeued = requeued + 1
        end
      end
    end
  end
  redis.call('DEL', lk)
  return { requeued, failed }
end

