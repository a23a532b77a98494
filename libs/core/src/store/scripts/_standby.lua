-- Standby hints (STANDBY_ASSIGNMENTS): the leader names, per node, queued tasks to lease to it
-- when it frees capacity (assign.lua pushes them to the head of the list sb:<node>, oldest at
-- the tail, each entry
-- "<task id>|<node incarnation>|<deadline ms>|<leader lease value>"); finish.lua takes them in
-- the node's own finish call, so a freed slot is refilled in the same round trip. A hint is only
-- a hint: its task stays queued in its ready queue until taken, and every taking re-checks what
-- assign.lua checks. Loaded after _prelude.lua and _assignment.lua (lua-scripts.ts).

local function standby_key(node)
  return K .. 'sb:' .. node
end

-- An entry's fields: task id, incarnation, deadline, leader lease value (nil when it does not parse).
local HINT = '^([^|]+)|([^|]+)|([^|]+)|(.+)$'

-- The node `node` (incarnation `inc`) gave back fs slots, fc cpu, fm memory (already committed
-- by the caller): its usage goes down, then its standby hints are taken in list order while each
-- still holds (the leader lease value current, the node's incarnation and status alive, the
-- deadline ahead, the task queued, its needs within the node's capacity); a hint that no longer
-- holds is dropped, and the first one that holds but does not fit stops the walk (order kept).
-- Returns { parts = the taken tasks as task_json_text_parts pieces, took = ids, dropped = ids,
-- slots, cpu, mem = what the taken tasks use }.
local function take_standby(node, inc, fs, fc, fm, now, nowText, grace)
  local res = { parts = {}, took = {}, dropped = {}, slots = 0, cpu = 0, mem = 0 }
  local key = standby_key(node)
  local s = node_state(node)
  if not s or s.inc ~= inc or s.st ~= 'alive' then
    if fs > 0 or fc > 0 or fm > 0 then
      adjust_usage(node, inc, -fs, -fc, -fm, now)
    end
    if s and s.inc ~= inc then
      -- a report of an older incarnation: the list may hold the new one's hints, left as they are
      return res
    end
    -- gone, draining or dead: no hint of this node holds (the list is bounded when written)
    for _, e in ipairs(redis.call('LRANGE', key, 0, -1)) do
      local id = string.match(e, HINT)
      if id then
        res.dropped[#res.dropped + 1] = id
      end
    end
    redis.call('DEL', key)
    return res
  end
  local cs, cc, cm = s.cs, s.cc, s.cm
  local us = math.max(0, s.us - fs)
  local uc = math.max(0, s.uc - fc)
  local um = math.max(0, s.um - fm)
  local leader, match, incText = nil, string.match, num_text(inc)
  local queuedToAssigned = may('queued', 'assigned')
  local taken, dequeued, leased, writes = {}, {}, {}, {}
  local done, stop = 0, false
  while not stop and us < cs do
    -- the next entries: at most as many as could still fit by slots (every task takes one or
    -- more), so a walk reads no more of the list than the freed room and the stale hints in it
    local asked = cs - us
    -- the list's tail holds the oldest hint (assign.lua pushes at the head): read backwards
    -- (the bounds as text: '-' and num_text of a count, kept from call to call while small)
    local entries = redis.call('LRANGE', key, '-' .. num_text(done + asked), '-' .. num_text(done + 1))
    local n = #entries
    if n == 0 then
      break
    end
    leader = leader or redis.call('GET', K .. 'leader')
    -- per entry, oldest first: its task id ('' when it does not parse) and whether it still holds
    -- (this incarnation, the current leader lease value, the deadline ahead); no table per entry
    local ids, holds, keys = {}, {}, {}
    for x = 1, n do
      local id, hinc, deadline, lv = match(entries[n + 1 - x], HINT)
      ids[x] = id or ''
      holds[x] = id ~= nil and (hinc == incText or tonumber(hinc) == inc) and lv == leader
        and not (tonumber(deadline) <= now)
    end
    local raws = mget_records(ids, keys)
    for x = 1, n do
      local id, raw = ids[x], raws[x]
      if not holds[x] or not raw or taken[id] or string.sub(raw, 1, 1) ~= 'q'
        or not queuedToAssigned then
        if id ~= '' then
          res.dropped[#res.dropped + 1] = id
        end
      else
        -- the leased record is made first (lease_head only makes text; its header matched once)
        -- and is dropped when the task does not fit
        local record, _, _, ty, to, payload, sl, cpu, mem, leaseText, attemptText, toText, slText, cpuText,
          memText = lease_head(raw, id, node, inc, now, nowText, match(raw, LEASE_HEAD))
        if us + sl > cs or uc + cpu > cc or um + mem > cm then
          stop = true
          break
        end
        taken[id] = true
        writes[#writes + 1] = keys[x]
        writes[#writes + 1] = record
        push_at(dequeued, ty, id)
        -- the lease score as text (lease_score: no number formatted per entry by redis.call)
        leased[#leased + 1] = lease_score(now + to + grace)
        leased[#leased + 1] = id
        emit_event('task', id, 'assigned', ty, node)
        us, uc, um = us + sl, uc + cpu, um + mem
        res.slots, res.cpu, res.mem = res.slots + sl, res.cpu + cpu, res.mem + mem
        res.took[#res.took + 1] = id
        local p = res.parts
        p[#p + 1], p[#p + 2], p[#p + 3] = task_json_text_parts(id, leaseText, attemptText, ty, toText, payload,
          slText, cpuText, memText)
      end
      done = done + 1
    end
    if n < asked then
      break -- the end of the list
    end
  end
  write_leased(writes, dequeued)
  bulk('ZADD', K .. 'nl:' .. node, leased, 2)
  if done > 0 then
    -- the walked entries leave the list (an emptied list is deleted)
    redis.call('LTRIM', key, '0', '-' .. num_text(done + 1))
  end
  if fs > 0 or fc > 0 or fm > 0 or #res.took > 0 then
    s.us, s.uc, s.um = us, uc, um
    if fs > 0 or fc > 0 or fm > 0 then
      s.lc = nowText
    end
    save_node(node, s)
  end
  return res
end
