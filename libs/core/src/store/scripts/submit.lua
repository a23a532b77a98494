--[[ submit: create a batch of tasks in their initial state.
KEYS[1]  key base
ARGV[1]  now (ms)            ARGV[2] idempotency key ttl (ms)   ARGV[3] max queued per type
ARGV[4]  aging step (ms)     ARGV[5] failed cap                 ARGV[6] max dependents per task
ARGV[7]  n, then n groups of 6: id, idempotency key ('' = none), state (queued|delayed|blocked),
         type, score, record
  (score: queue score for queued and blocked, due time for delayed)
ARGV[8 + 6n]  channel for the tasks.submitted announcement ('' or absent: none). Published here,
  after the writes, so the leader hears of new work without a second write from the submitter.
  When the call created exactly one task and queued it, the announcement names it with its
  header line ("head":{"id","type","header"}, headers up to SUBMITTED_HEADER_MAX bytes): an idle
  leader decides it without reading the queue (assign.lua checks that it still leads it).
  A blocked task lists its dependencies in the record header (dep). Dependencies that already
  succeeded count as met; when all are met it is queued (or delayed) at once; when one already
  failed or was cancelled it is created failed, naming it.
Reply: 3n values, per task: id, state, created (1 = new, 0 = idempotent replay); then one more:
  the position (1-based) of the task the announcement names (or would name, without a channel),
  0 for none: the submitting dispatcher tells its own loop the same head (TaskSubmissionStore)
Error: QUEUEFULL when the batch would overfill a type's queue; NODEP when a dependency does not
  exist; DEPENDENTS when a dependency already has MAX_DEPENDENTS waiting on it (nothing is written).
]]
-- (numbers the caller always sends: `+ 0` converts them for ~600 instructions, tonumber() ~1,700)
local now, ikTtl, maxQueued, aging = ARGV[1] + 0, ARGV[2] + 0, ARGV[3] + 0, ARGV[4] + 0
local failedCap, maxDependents, n = ARGV[5] + 0, ARGV[6] + 0, ARGV[7] + 0
local FIRST = 8

-- all or nothing: refuse the whole batch if it would overfill a queue or a dependency is bad
local adding = {}
local headers = {}
for j = 0, n - 1 do
  local b = FIRST + j * 6
  local state = ARGV[b + 2]
  if state == 'queued' then
    adding[ARGV[b + 3]] = (adding[ARGV[b + 3]] or 0) + 1
  elseif state == 'blocked' then
    local h = split(ARGV[b + 5])
    for _, dep in ipairs(h.dep or {}) do
      if redis.call('EXISTS', K .. 't:' .. dep) == 0 then
        return redis.error_reply('NODEP dependsOn: task ' .. dep .. ' does not exist (or its retention expired)')
      end
      if redis.call('SCARD', K .. 'dp:' .. dep) >= maxDependents then
        return redis.error_reply('DEPENDENTS task ' .. dep .. ' already has ' .. maxDependents .. ' dependents (MAX_DEPENDENTS)')
      end
    end
    headers[j] = h
  elseif state ~= 'delayed' then
    return redis.error_reply('ERR submit: unsupported initial state ' .. state)
  end
end
for type, count in pairs(adding) do
  if redis.call('ZCARD', K .. 'q:' .. type) + count > maxQueued then
    return redis.error_reply('QUEUEFULL the queue of type ' .. type .. ' is full (MAX_QUEUED_PER_TYPE)')
  end
end

-- blocked: register with every dependency not yet succeeded, or resolve at once
local function create_blocked(id, h, rest)
  local waiting = {}
  for _, dep in ipairs(h.dep) do
    local raw = redis.call('GET', K .. 't:' .. dep)
    local state = raw and split(raw).s or 'gone'
    if state == 'failed' or state == 'cancelled' or state == 'gone' then
      h.e = dependency_error(dep, state)
      mark_failed(id, h, rest, now, failedCap)
      return 'failed'
    elseif state ~= 'succeeded' then
      table.insert(waiting, dep)
    end
  end
  if #waiting == 0 then
    return release_blocked(id, h, rest, now, aging)
  end
  for _, dep in ipairs(waiting) do
    redis.call('SADD', K .. 'dp:' .. dep, id)
  end
  h.bw = #waiting
  redis.call('SET', K .. 't:' .. id, join(h, rest))
  redis.call('SADD', K .. 'blocked', id)
  return 'blocked'
end

local out = {}
local created = 0
-- the last task queued here (argument index of its group): announced when it is the only one created
local queuedAt
-- queue entries per type (score, id pairs), added with one ZADD per type after the loop
local enqueued = {}
-- key/record pairs of queued tasks, written with one MSET (one command, not one SET per task);
-- they go out before a task record is read or written any other way (an idempotent replay may
-- read a task of this batch)
local records, nr = {}, 0
local function write_records()
  for s = 1, nr, BULK_CHUNK * 2 do
    redis.call('MSET', unpack(records, s, math.min(nr, s + BULK_CHUNK * 2 - 1)))
  end
  records, nr = {}, 0
end
for j = 0, n - 1 do
  local b = FIRST + j * 6
  local id, ik, state, type = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]
  local score, record = ARGV[b + 4], ARGV[b + 5]
  -- the reply's three values at o + 1 .. o + 3 (one flat list: no table per task)
  local o, replayed = j * 3, false
  if nr > 0 and (ik ~= '' or state ~= 'queued') then
    write_records()
  end
  if ik ~= '' then
    local ikKey = K .. 'ik:' .. ik
    if not redis.call('SET', ikKey, id, 'NX', 'PX', ikTtl) then
      local prev = redis.call('GET', ikKey)
      local raw = redis.call('GET', K .. 't:' .. prev)
      if raw then
        local h = split(raw)
        out[o + 1], out[o + 2], out[o + 3] = prev, h.s, 0
        replayed = true
      else
        -- the earlier task's retention ended: the key starts a new task
        redis.call('SET', ikKey, id, 'PX', ikTtl)
      end
    end
  end
  if not replayed then
    if state == 'queued' then
      records[nr + 1], records[nr + 2] = K .. 't:' .. id, record
      nr = nr + 2
      push_at(enqueued, type, score, id)
      emit_event('task', id, state, type, nil)
      queuedAt = b
    elseif state == 'blocked' then
      local _, rest = split(record)
      state = create_blocked(id, headers[j], rest)
      if state == 'blocked' then emit_event('task', id, state, type, nil) end
    else
      redis.call('SET', K .. 't:' .. id, record)
      redis.call('ZADD', K .. 'delayed', score, id)
      emit_event('task', id, state, type, nil)
    end
    created = created + 1
    out[o + 1], out[o + 2], out[o + 3] = id, state, 1
  end
end
write_records()
for type, entries in pairs(enqueued) do
  bulk('ZADD', K .. 'q:' .. type, entries, 2)
end
for type in pairs(adding) do
  redis.call('SADD', K .. 'types', type)
end
if created > 0 then
  redis.call('HINCRBY', K .. 'stats', 'submitted', num_text(created))
end
flush_events()
local channel = ARGV[FIRST + n * 6]
-- messages.ts SUBMITTED_HEADER_MAX_BYTES: a longer header is left to read-heads
local SUBMITTED_HEADER_MAX = 1024
-- the one task created, when it went in queued and its header line fits a message
local header, announced = nil, 0
if created == 1 and queuedAt then
  local record = ARGV[queuedAt + 5]
  local nl = string.find(record, '\n', 1, true)
  header = nl and string.sub(record, 1, nl - 1) or record
  if #header <= SUBMITTED_HEADER_MAX then
    announced = (queuedAt - FIRST) / 6 + 1
  end
end
if created > 0 and channel and channel ~= '' then
  local head = ''
  if announced > 0 then
    head = ',"head":{"id":' .. cjson.encode(ARGV[queuedAt]) .. ',"type":' .. cjson.encode(ARGV[queuedAt + 3])
      .. ',"header":' .. cjson.encode(header) .. '}'
  end
  redis.call('PUBLISH', channel, '{"pattern":"tasks.submitted","data":{"count":' .. num_text(created) .. head .. '}}')
end
out[n * 3 + 1] = announced
return out
