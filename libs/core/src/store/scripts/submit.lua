--[[ submit: create a batch of tasks in their initial state.
KEYS[1]  key base
ARGV[1]  now (ms)            ARGV[2] idempotency key ttl (ms)
ARGV[3]  max queued per type ARGV[4] n
then n groups of 6: id, idempotency key ('' = none), state (queued|delayed), type, score, record
  (score: queue score for queued, due time for delayed)
Reply: n entries {id, state, created (1 = new, 0 = idempotent replay)}
Error: QUEUEFULL when the batch would overfill a type's queue (nothing is written).
]]
local now, ikTtl, maxQueued, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
-- all or nothing: refuse the whole batch if it would overfill a type's queue
local adding = {}
for j = 0, n - 1 do
  local b = 5 + j * 6
  local state = ARGV[b + 2]
  if state == 'queued' then
    adding[ARGV[b + 3]] = (adding[ARGV[b + 3]] or 0) + 1
  elseif state ~= 'delayed' then
    return redis.error_reply('ERR submit: unsupported initial state ' .. state)
  end
end
for type, count in pairs(adding) do
  if redis.call('ZCARD', K .. 'q:' .. type) + count > maxQueued then
    return redis.error_reply('QUEUEFULL the queue of type ' .. type .. ' is full (MAX_QUEUED_PER_TYPE)')
  end
end

local out = {}
local created = 0
for j = 0, n - 1 do
  local b = 5 + j * 6
  local id, ik, state, type = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]
  local score, record = ARGV[b + 4], ARGV[b + 5]
  local reply = nil
  if ik ~= '' then
    local ikKey = K .. 'ik:' .. ik
    if not redis.call('SET', ikKey, id, 'NX', 'PX', ikTtl) then
      local prev = redis.call('GET', ikKey)
      local raw = redis.call('GET', K .. 't:' .. prev)
      if raw then
        local h = split(raw)
        reply = { prev, h.s, 0 }
      else
        -- the earlier task's retention ended: the key starts a new task
        redis.call('SET', ikKey, id, 'PX', ikTtl)
      end
    end
  end
  if reply == nil then
    if state == 'queued' then
      redis.call('SET', K .. 't:' .. id, record)
      redis.call('ZADD', K .. 'q:' .. type, score, id)
    else
      redis.call('SET', K .. 't:' .. id, record)
      redis.call('ZADD', K .. 'delayed', score, id)
    end
    created = created + 1
    reply = { id, state, 1 }
  end
  out[j + 1] = reply
end
for type in pairs(adding) do
  redis.call('SADD', K .. 'types', type)
end
if created > 0 then
  redis.call('HINCRBY', K .. 'stats', 'submitted', created)
end
return out
