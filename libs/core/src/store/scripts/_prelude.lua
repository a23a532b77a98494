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

-- One `cmd key a1 a2 ...` per chunk of `args` (ZREM of many members, ZADD of score/member pairs);
-- `n`: how many of `args` to send (default all: a reused table may hold more).
local function bulk(cmd, key, args, step, n)
  n = n or #args
  for s = 1, n, BULK_CHUNK * step do
    redis.call(cmd, key, unpack(args, s, math.min(n, s + BULK_CHUNK * step - 1)))
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
-- emit_run (below) appends to an open group exactly as emit_event's fast path does: a change to
-- the entry's text or to the open group's fields (EVENTS.n, .kind, ...) changes both together.
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
      -- one concatenation each: a string made and then extended is hashed again whole (assign.lua
      -- makes one head per node of its pass)
      if ty and node then
        head = '{"k":"' .. kind .. '","s":"' .. state .. '","ty":"' .. ty .. '","n":"' .. node .. '","ids":["'
      elseif ty then
        head = '{"k":"' .. kind .. '","s":"' .. state .. '","ty":"' .. ty .. '","ids":["'
      elseif node then
        head = '{"k":"' .. kind .. '","s":"' .. state .. '","n":"' .. node .. '","ids":["'
      else
        head = '{"k":"' .. kind .. '","s":"' .. state .. '","ids":["'
      end
      byNode[node or false] = head
    end
    e[n + 1], e[n + 2] = head, id
    e.n = n + 2
    e.kind, e.state, e.ty, e.node = kind, state, ty, node
  end
end

-- emit_event for a run of events that share kind, state, type and node: the ids at
-- list[from], list[from + step], ... up to list[to] (step 2: the ids of score/id pairs). One call
-- per run instead of one per event; the first id goes through emit_event (it opens or extends the
-- group), the others are appended to that group as emit_event's fast path would (keep the two in
-- step; bench/tools/events-equivalence.js compares emit_event sequences of two preludes).
local function emit_run(kind, state, ty, node, list, from, to, step)
  if from > to or EVENTS_MAXLEN <= 0 then
    return
  end
  emit_event(kind, list[from], state, ty, node)
  local e = EVENTS
  local n = e.n
  for x = from + step, to, step do
    e[n + 1], e[n + 2] = '","', list[x]
    n = n + 2
  end
  e.n = n
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
-- lease 1, attempt 1, a type's slots and timeout). Small non-negative integers (counts, slots,
-- cpu, memory, leases, attempts: what recurs from call to call) are also kept in INT_TEXT, which
-- lives as long as the library (bounded: at most INT_TEXT_MAX + 1 entries).
local NUM_TEXT = {}
local INT_TEXT, INT_TEXT_MAX = {}, 65535
local function num_text(v)
  local s = NUM_TEXT[v]
  if s == nil then
    if v == 0 then
      -- 0 and -0 are one table key but two texts
      return 1 / v < 0 and '-0' or '0'
    end
    s = INT_TEXT[v]
    if s == nil then
      s = tostring(v)
      if v > 0 and v <= INT_TEXT_MAX and v % 1 == 0 then
        INT_TEXT[v] = s
      end
    end
    if v == v then -- NaN is no table key
      NUM_TEXT[v] = s
    end
  end
  return s
end

-- The number of a short text that recurs from task to task and call to call (a lease or attempt
-- count, a type's timeout, slots, cpu or memory, a node's capacity and usage): tonumber() and
-- text arithmetic run strtod (~700 instructions each; a table read is ~50). Kept as long as the
-- library, at most TEXT_NUM_MAX texts (then afresh); not for times or ids, which do not recur.
-- nil for a text that is no number (tonumber's answer). Per task, read TEXT_NUM[text] inline
-- first (`TEXT_NUM[t] or text_num(t)`): a call costs as much as `t + 0` (~600 instructions).
local TEXT_NUM, TEXT_NUM_N, TEXT_NUM_MAX = {}, 0, 4096
local function text_num(text)
  local x = TEXT_NUM[text]
  if x == nil then
    x = tonumber(text)
    if x ~= nil then
      if TEXT_NUM_N >= TEXT_NUM_MAX then
        TEXT_NUM, TEXT_NUM_N = {}, 0
      end
      TEXT_NUM[text] = x
      TEXT_NUM_N = TEXT_NUM_N + 1
    end
  end
  return x
end

-- A number given to redis.call is formatted on every call (~2,200 instructions for a small one,
-- more for a time in ms, callgrind micro-measure): the hot scripts pass text instead: an argument
-- as it was sent, a literal ('0'), or num_text() (cached; small integers for the library's life).
-- For integers below 1e14 num_text writes what redis.call would (%.14g and %.17g agree).

-- A lease's score in nl:<node>: LEASE_TOP minus its deadline (ms), so the newest lease (the
-- latest deadline) sorts first. A node's lease set is small (a listpack), and ZADD walks it from
-- its head to the insertion point: with the deadline as the score every new lease walked past all
-- the node's leases (~280 instructions each, ~6k per lease at 25 leases a node). Leases written
-- before this scoring hold their deadline itself (< 1e13, until year 2286); LEASE_TOP - deadline
-- is > 9e13, so the two never mix up (reclaim-expired.lua reads both), and its 14 digits are
-- written exactly by num_text (%.14g). An older leader reads these as far-off deadlines.
local LEASE_TOP = 1e14
local function lease_score(deadline)
  return num_text(LEASE_TOP - deadline)
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
  if #text <= 14 and string.find(text, '^[1-9]%d*$') then
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

-- The same check on header fields (as text): state code, lease, lease node and incarnation,
-- against the report's lease and incarnation as sent (text). Equal texts hold without reading
-- numbers (the usual case: a worker sends them as the header wrote them); else the numbers decide.
local function lease_fields_hold(st, l, ln, li, leaseText, node, incText)
  return leased_state(st) and ln == node
    and (l == leaseText or tonumber(l) == tonumber(leaseText))
    and (li == incText or tonumber(li) == tonumber(incText))
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
