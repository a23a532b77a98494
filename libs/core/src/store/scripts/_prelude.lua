-- Shared by every script (prepended after the generated ALLOWED table). The scripts run as Redis
-- Functions of one library (lua-scripts.ts): this prelude then runs once, at FUNCTION LOAD, and
-- each function starts by setting the per-call state below (K, EVENTS, NUM_TEXT); as plain EVAL
-- scripts (the fallback) all of it runs on every call.
-- K is the key base ("{prefix}:"), passed as KEYS[1]; every key is derived from it.
local K
local HISTORY_CAP = 20

-- Bulk commands take at most this many arguments per call (unpack has a C stack limit).
local BULK_CHUNK = 1000

-- The task records of `ids` in one MGET per chunk (false where a record is gone). `keysOut`, when
-- given, receives each record's key at its id's position (for the caller's writes).
local function mget_records(ids, keysOut)
  local out = {}
  for s = 1, #ids, BULK_CHUNK do
    local keys, nk = {}, 0
    for i = s, math.min(#ids, s + BULK_CHUNK - 1) do
      nk = nk + 1
      keys[nk] = K .. 't:' .. ids[i]
      if keysOut then
        keysOut[i] = keys[nk]
      end
    end
    local part = redis.call('MGET', unpack(keys))
    if s == 1 and #ids <= BULK_CHUNK then
      return part -- one chunk: its reply is the list
    end
    for i = 1, #part do
      out[#out + 1] = part[i]
    end
  end
  return out
end

-- Appends `a` (and `b`, if given) to the list under `key` in `lists`, made on first use: the
-- per-key batches (queue members, lease entries) a script writes with bulk() after its loop.
local function push_at(lists, key, a, b)
  local l = lists[key]
  if l == nil then
    l = {}
    lists[key] = l
  end
  l[#l + 1] = a
  if b ~= nil then
    l[#l + 1] = b
  end
end

-- One `cmd key a1 a2 ...` per chunk of `args` (ZREM of many members, ZADD of score/member pairs).
local function bulk(cmd, key, args, step)
  for s = 1, #args, BULK_CHUNK * step do
    redis.call(cmd, key, unpack(args, s, math.min(#args, s + BULK_CHUNK * step - 1)))
  end
end

-- Change events, appended to the bounded stream `events` in the same script as the change,
-- so an event exists exactly when its change committed. EVENTS_MAXLEN (generated from
-- EVENTS_STREAM_MAX_LEN; 0 = off) bounds the stream. Events buffer per script run and go out as
-- ONE stream entry on flush_events(), so a batch costs one XADD, not one per task.
-- The entry is a JSON array of groups: consecutive events that share kind, state, type and node
-- are one item {k = 'task' | 'node' | 'progress', s = state or status, ty = task type,
-- n = node, ids = [...]}, so a batch of 1,000 submits stores 1,000 ids, not 1,000 objects
-- (decodeEntry in events/change-event.ts expands them). Built as text, nothing escaped: task
-- ids are ULIDs, types and node ids are validated on the way in ([A-Za-z0-9._:-]), kinds and
-- states are our own words.
-- EVENTS holds the entry's text in pieces, joined once by flush_events(): '[', then per group
-- its opening '{"k":..,"ids":["' and its ids with '","' between them, '"]},' before the next
-- group; EVENTS.n counts the pieces and EVENTS.kind/.state/.ty/.node are the open group's fields
-- (compared, not joined into a key: no table and, within a group, no string per event).
local EVENTS = {}

local function emit_event(kind, id, state, ty, node)
  if EVENTS_MAXLEN > 0 then
    local e = EVENTS
    local n = e.n
    if n ~= nil and e.kind == kind and e.state == state and e.ty == ty and e.node == node then
      e[n + 1], e[n + 2] = '","', id
      e.n = n + 2
      return
    end
    if n == nil then
      n = 1
      e[1] = '['
    else
      n = n + 1
      e[n] = '"]},'
    end
    -- a group's opening text, made once per call for each kind, state, type and node
    local c = e.heads
    if c == nil then
      c = {}
      e.heads = c
    end
    local byState = c[kind]
    if byState == nil then
      byState = {}
      c[kind] = byState
    end
    local byTy = byState[state]
    if byTy == nil then
      byTy = {}
      byState[state] = byTy
    end
    local byNode = byTy[ty or false]
    if byNode == nil then
      byNode = {}
      byTy[ty or false] = byNode
    end
    local head = byNode[node or false]
    if head == nil then
      head = '{"k":"' .. kind .. '","s":"' .. state .. '"'
      if ty then
        head = head .. ',"ty":"' .. ty .. '"'
      end
      if node then
        head = head .. ',"n":"' .. node .. '"'
      end
      head = head .. ',"ids":["'
      byNode[node or false] = head
    end
    e[n + 1], e[n + 2] = head, id
    e.n = n + 2
    e.kind, e.state, e.ty, e.node = kind, state, ty, node
  end
end

-- the bound as text, made on first use (once for the library): a number argument to redis.call
-- is formatted on every call
local EVENTS_MAXLEN_TEXT

local function flush_events()
  local n = EVENTS.n
  if n ~= nil then
    EVENTS[n + 1] = '"]}]'
    if EVENTS_MAXLEN_TEXT == nil then
      EVENTS_MAXLEN_TEXT = EVENTS_MAXLEN .. ''
    end
    redis.call('XADD', K .. 'events', 'MAXLEN', '~', EVENTS_MAXLEN_TEXT, '*', 'e', table.concat(EVENTS, '', 1, n + 1))
    EVENTS = {}
  end
end

local function may(from, to)
  local t = ALLOWED[from]
  return t ~= nil and t[to] == true
end

-- A record is "<header>\n<payload JSON>[\n<result JSON>]" (see task-record.ts). The header is
-- 22 fields, each followed by "|", then the cold fields as a JSON object ('' when none):
--   1 s (state code)  2 ty  3 pr  4 ma  5 to  6 a  7 l  8 c  9 sl  10 qa (minus c)  11 cpu  12 mem
--   13 ra  14 u  15 n  16 i  17 sa  18 f  19..22 the open attempt: as, sa, ea, o  | cold JSON
-- n/i are the lease while the task is assigned or running, else the open attempt's node. The hot
-- transitions (assign, start, finish ok) rewrite fields of read_head() with no JSON at all;
-- every other script works on the merged table of split() and writes it back with join().
local STATE_CODE = {
  queued = 'q', assigned = 'a', running = 'r', succeeded = 's',
  failed = 'f', cancelled = 'c', delayed = 'd', blocked = 'b',
}
-- literal tables and pattern, not built from STATE_CODE and string.rep: as EVAL scripts (the
-- fallback) every call pays for its prelude (keep them in step with STATE_CODE and HEAD_FIELDS)
local STATE_NAME = {
  q = 'queued', a = 'assigned', r = 'running', s = 'succeeded',
  f = 'failed', c = 'cancelled', d = 'delayed', b = 'blocked',
}
local HEAD_FIELDS = 22
-- '^(%a)|' .. string.rep('([^|]*)|', HEAD_FIELDS - 1) .. '([^\n]*)()\n'
local HEAD = '^(%a)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^\n]*)()\n'
-- fields the header line holds positionally; everything else is cold JSON (built by join(), the
-- slow path, on first use)
local HOT

-- Text of a number exactly as tostring() and table.concat() write it ("%.14g"), cached per
-- call: formatting costs ~0.3 µs, and a batch repeats the same few values (now, incarnation,
-- lease 1, attempt 1, a type's slots and timeout).
local NUM_TEXT = {}
local function num_text(v)
  local s = NUM_TEXT[v]
  if s == nil then
    if v == 0 then
      -- 0 and -0 are one table key but two texts
      return 1 / v < 0 and '-0' or '0'
    end
    s = tostring(v)
    if v == v then -- NaN is no table key
      NUM_TEXT[v] = s
    end
  end
  return s
end

local function checked_head(st, ...)
  if st == nil then
    error('corrupt task record header')
  end
  return st, ...
end

-- The header fields as values, no table (the hot transitions read them into locals): the 22
-- fields as strings, the cold JSON, and where "\n<payload>" starts.
local function head_values(raw)
  return checked_head(string.match(raw, HEAD))
end

-- The same as a table: f[1..22], f[23] the cold JSON, f[24] where "\n<payload>" starts.
local function read_head(raw)
  return { head_values(raw) }
end

-- The header line of read_head() fields (after edits) followed by the rest of the record.
local function write_head(f, rest)
  return table.concat(f, '|', 1, HEAD_FIELDS + 1) .. rest
end

local function txt(v)
  if v == nil then
    return ''
  end
  return tostring(v)
end

-- txt(tonumber(text)) for a number sent as text (a time in ms): `text` itself when it is already
-- written that way (up to 14 digits, no leading zero), with no number formatted (~0.3 µs).
local function time_text(text)
  if #text <= 14 and string.byte(text) ~= 48 and not string.find(text, '%D') then
    return text
  end
  return txt(tonumber(text))
end

local function leased_state(code)
  return code == 'a' or code == 'r'
end

-- The whole header as one table (cold JSON decoded), and "\n<payload>[\n<result>]".
local function split(raw)
  local f = read_head(raw)
  local h = f[23] ~= '' and cjson.decode(f[23]) or {}
  h.s, h.ty = STATE_NAME[f[1]], f[2]
  h.pr, h.ma, h.to, h.a, h.l = tonumber(f[3]), tonumber(f[4]), tonumber(f[5]), tonumber(f[6]), tonumber(f[7])
  h.c, h.sl = tonumber(f[8]), tonumber(f[9])
  if f[10] ~= '' then
    h.qa = h.c + tonumber(f[10])
  end
  -- tonumber('') is nil: empty fields stay absent
  h.cpu, h.mem, h.ra, h.u = tonumber(f[11]), tonumber(f[12]), tonumber(f[13]), tonumber(f[14])
  if leased_state(f[1]) then
    h.n, h.i = f[15], tonumber(f[16])
  end
  h.sa, h.f = tonumber(f[17]), tonumber(f[18])
  if f[19] ~= '' then
    if h.h == nil then
      h.h = {}
    end
    h.h[#h.h + 1] = {
      l = h.l, n = f[15], i = tonumber(f[16]), as = tonumber(f[19]),
      sa = tonumber(f[20]), ea = tonumber(f[21]), o = f[22] ~= '' and f[22] or nil,
    }
  end
  return h, string.sub(raw, f[24])
end

-- The fencing check every worker report passes: the report names the task's current lease.
local function holds_lease(h, lease, node, inc)
  return h.l == lease and h.n == node and h.i == inc
end

-- The same check on header fields (as text): state code, lease, lease node and incarnation.
local function lease_fields_hold(st, l, ln, li, lease, node, inc)
  return leased_state(st) and tonumber(l) == lease and ln == node and tonumber(li) == inc
end

-- The same check on read_head() fields.
local function head_holds_lease(f, lease, node, inc)
  return lease_fields_hold(f[1], f[7], f[15], f[16], lease, node, inc)
end

local function join(h, rest)
  local leased = h.s == 'assigned' or h.s == 'running'
  local hist = h.h
  local att = hist and hist[#hist]
  -- the last attempt stays in the header line while it has no error text and is this lease's
  local open = att ~= nil and att.m == nil and att.as ~= nil and att.l == h.l
    and (not leased or (att.n == h.n and att.i == h.i))
  if HOT == nil then
    HOT = {
      s = true, ty = true, pr = true, ma = true, to = true, a = true, l = true, c = true, sl = true,
      qa = true, cpu = true, mem = true, ra = true, u = true, n = true, i = true, sa = true, f = true,
      h = true,
    }
  end
  local cold
  for k, v in pairs(h) do
    if not HOT[k] then
      cold = cold or {}
      cold[k] = v
    end
  end
  local closed = hist and (#hist - (open and 1 or 0)) or 0
  if closed > 0 then
    cold = cold or {}
    cold.h = {}
    for x = 1, closed do
      cold.h[x] = hist[x]
    end
  end
  local node, inc = '', ''
  if leased then
    node, inc = h.n or '', h.i or ''
  elseif open then
    node, inc = att.n or '', att.i or ''
  end
  -- numbers go into table.concat as they are (formatted like tostring); nil is ''
  local f = {
    STATE_CODE[h.s], h.ty, h.pr or '', h.ma or '', h.to or '', h.a or '', h.l or '', h.c or '',
    h.sl or '', h.qa and (h.qa - h.c) or '', h.cpu or '', h.mem or '', h.ra or '', h.u or '',
    node, inc, h.sa or '', h.f or '', '', '', '', '', cold and cjson.encode(cold) or '',
  }
  if open then
    f[19], f[20], f[21], f[22] = att.as, att.sa or '', att.ea or '', att.o or ''
  end
  return write_head(f, rest)
end

-- rest without a result segment
local function payload_part(rest)
  local nl = string.find(rest, '\n', 2, true)
  if nl then
    return string.sub(rest, 1, nl - 1)
  end
  return rest
end

local function current_attempt(h)
  if h.h == nil then
    return nil
  end
  return h.h[#h.h]
end

local function push_attempt(h, entry)
  if h.h == nil then
    h.h = {}
  end
  table.insert(h.h, entry)
  while #h.h > HISTORY_CAP do
    table.remove(h.h, 1)
  end
end

local function enqueue(id, h, rest, now, aging)
  h.s = 'queued'
  h.qa = now
  h.u = now
  h.ra = nil
  h.n = nil
  h.i = nil
  redis.call('SET', K .. 't:' .. id, join(h, rest))
  redis.call('ZADD', K .. 'q:' .. h.ty, h.qa - h.pr * aging, id)
  redis.call('SADD', K .. 'types', h.ty)
  emit_event('task', id, 'queued', h.ty, nil)
end

-- Node state: what the assign commit re-checks and every usage change writes, for every node in
-- ONE hash (`ns`, field = node id), so a scheduling pass reads all the nodes it assigns to with one
-- HMGET and writes them back with one HSET, however many nodes that is. The value is
--   <incarnation>|<status>|<slots>|<cpu>|<memory MB>|<used slots>|<used cpu>|<used memory MB>|<last completion>
-- (capacity, then usage; last completion '' until the first). A node is registered exactly when it
-- has an entry; its other fields (types, labels, heartbeat, ...) stay in its hash n:<id>.
-- Parsed into a table with `fixed`, the text up to the usage (kept while inc, status and capacity
-- do not change: a usage write then formats three numbers, not eight).
local NODE_STATE = '^(([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|)([^|]*)|([^|]*)|([^|]*)|([^|]*)$'

local function decode_node(v)
  if not v then
    return false
  end
  local fixed, inc, st, cs, cc, cm, us, uc, um, lc = string.match(v, NODE_STATE)
  if fixed == nil then
    error('corrupt node state')
  end
  return {
    fixed = fixed, inc = tonumber(inc), st = st, cs = tonumber(cs), cc = tonumber(cc), cm = tonumber(cm),
    us = tonumber(us), uc = tonumber(uc), um = tonumber(um), lc = lc,
  }
end

local function encode_node(s)
  local fixed = s.fixed
  if fixed == nil then
    fixed = num_text(s.inc) .. '|' .. s.st .. '|' .. num_text(s.cs) .. '|' .. num_text(s.cc) .. '|'
      .. num_text(s.cm) .. '|'
  end
  return fixed .. num_text(s.us) .. '|' .. num_text(s.uc) .. '|' .. num_text(s.um) .. '|' .. s.lc
end

-- One node's state (false when it is not registered).
local function node_state(id)
  return decode_node(redis.call('HGET', K .. 'ns', id))
end

-- Writes one node's state; set s.fixed = nil first when inc, status or capacity changed.
local function save_node(id, s)
  redis.call('HSET', K .. 'ns', id, encode_node(s))
end

-- Writes one node's state with a new status (the text up to the usage is made again).
local function save_node_status(id, s, status)
  s.st, s.fixed = status, nil
  save_node(id, s)
end

-- The states of distinct node ids `ids`, one HMGET per chunk: id -> state table or false.
local function node_states(ids)
  local out = {}
  for s = 1, #ids, BULK_CHUNK do
    local e = math.min(#ids, s + BULK_CHUNK - 1)
    local v = redis.call('HMGET', K .. 'ns', unpack(ids, s, e))
    for i = s, e do
      out[ids[i]] = decode_node(v[i - s + 1])
    end
  end
  return out
end

-- Writes back the states of node_states() marked `dirty`, one HSET per chunk.
local function save_node_states(states)
  local args, np = {}, 0
  for id, s in pairs(states) do
    if s and s.dirty then
      args[np + 1], args[np + 2] = id, encode_node(s)
      np = np + 2
    end
  end
  if np > 0 then
    bulk('HSET', K .. 'ns', args, 2)
  end
end

-- Changes a node's used capacity by the given deltas, if the incarnation still matches.
local function adjust_usage(node, inc, dslots, dcpu, dmem, completedAt)
  local s = node_state(node)
  if not s or s.inc ~= inc then
    return
  end
  s.us = math.max(0, s.us + dslots)
  s.uc = math.max(0, s.uc + dcpu)
  s.um = math.max(0, s.um + dmem)
  if completedAt then
    s.lc = num_text(completedAt)
  end
  save_node(node, s)
end

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
    redis.call('LTRIM', K .. 'done', 0, cap - 1)
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

