-- Node state helpers shared by every script (after _prelude.lua, whose num_text they use).

-- Node state: what the assign commit re-checks and every usage change writes, for every node in
-- ONE hash (`ns`, field = node id), so a scheduling pass reads all the nodes it assigns to with one
-- HMGET and writes them back with one HSET, however many nodes that is. The value is
--   <incarnation>|<status>|<slots>|<cpu>|<memory MB>|<used slots>|<used cpu>|<used memory MB>|<last completion>
-- (capacity, then usage; last completion '' until the first). A node is registered exactly when it
-- has an entry; its other fields (types, labels, heartbeat, ...) stay in its hash n:<id>.
-- Parsed into a table with `fixed`, the text up to the usage (kept while inc, status and capacity
-- do not change: a usage write then formats three numbers, not eight).
local NODE_STATE = '^(([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|)([^|]*)|([^|]*)|([^|]*)|([^|]*)$'

-- The number of a text, kept in `nums` (text -> number): tonumber() of a text runs strtod twice
-- (~700 instructions), a hit is one table read. A batch repeats a few texts: nodes of one shape
-- share their capacity, their usage is often the same few values, and so are a batch's task
-- requirements. A miss asks text_num (_prelude.lua), which keeps them from call to call.
local function number_of(nums, text)
  local x = nums[text]
  if x == nil then
    x = text_num(text)
    nums[text] = x
  end
  return x
end

local function decode_node(v)
  if not v then
    return false
  end
  local fixed, inc, st, cs, cc, cm, us, uc, um, lc = string.match(v, NODE_STATE)
  if fixed == nil then
    error('corrupt node state')
  end
  return {
    fixed = fixed, inc = text_num(inc), st = st, cs = text_num(cs), cc = text_num(cc), cm = text_num(cm),
    us = text_num(us), uc = text_num(uc), um = text_num(um), lc = lc,
  }
end

-- A state's text from its fixed part (the text up to the usage) and its usage.
local function state_text(fixed, us, uc, um, lc)
  return fixed .. num_text(us) .. '|' .. num_text(uc) .. '|' .. num_text(um) .. '|' .. lc
end

local function encode_node(s)
  local fixed = s.fixed
  if fixed == nil then
    fixed = num_text(s.inc) .. '|' .. s.st .. '|' .. num_text(s.cs) .. '|' .. num_text(s.cc) .. '|'
      .. num_text(s.cm) .. '|'
  end
  return state_text(fixed, s.us, s.uc, s.um, s.lc)
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

-- The states of many nodes (assign.lua reads every node a pass names) as rows of columns, not a
-- table per node: a state table of eleven fields and ten captures cost ~15,000 instructions per
-- node, about a quarter of what a pass with 1,000 nodes spent per node. Row r of `c`
-- (node_rows()): c.id[r], c.fixed[r] (the text up to the usage), c.shape[r] (inc, it: inc as
-- stored, st, cs, cc, cm: parsed once per distinct fixed text, which nodes of one shape and
-- incarnation share), c.us/uc/um/lc[r] (usage, last completion); c.row: id -> row, or false when
-- the node is not registered. The text is NODE_STATE's, matched as its fixed part and its usage.
local NODE_USAGE = '^([^|]*|[^|]*|[^|]*|[^|]*|[^|]*|)([^|]*)|([^|]*)|([^|]*)|([^|]*)$'
local NODE_FIXED = '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|$'

local function node_rows()
  return {
    n = 0, row = {}, id = {}, fixed = {}, shape = {}, us = {}, uc = {}, um = {}, lc = {}, dirty = {},
    shapes = {}, nums = {},
  }
end

-- Adds node `id`, its state text `v` (false: not registered); returns its row or false.
local function add_node_row(c, id, v)
  if not v then
    c.row[id] = false
    return false
  end
  local fixed, us, uc, um, lc = string.match(v, NODE_USAGE)
  if fixed == nil then
    error('corrupt node state')
  end
  local f = c.shapes[fixed]
  if f == nil then
    local inc, st, cs, cc, cm = string.match(fixed, NODE_FIXED)
    f = { inc = tonumber(inc), it = inc, st = st, cs = tonumber(cs), cc = tonumber(cc), cm = tonumber(cm) }
    c.shapes[fixed] = f
  end
  local r, nums = c.n + 1, c.nums
  c.n, c.row[id] = r, r
  c.id[r], c.fixed[r], c.shape[r], c.lc[r] = id, fixed, f, lc
  c.us[r], c.uc[r], c.um[r] = number_of(nums, us), number_of(nums, uc), number_of(nums, um)
  return r
end

-- Adds the distinct node ids `ids` (none in c yet), read with one HMGET per chunk.
local function read_node_rows(c, ids)
  for s = 1, #ids, BULK_CHUNK do
    local e = math.min(#ids, s + BULK_CHUNK - 1)
    local v = redis.call('HMGET', K .. 'ns', unpack(ids, s, e))
    for i = s, e do
      add_node_row(c, ids[i], v[i - s + 1])
    end
  end
end

-- The row of node `id`, read with HGET when c does not have it yet (false: not registered).
local function node_row(c, id)
  local r = c.row[id]
  if r == nil then
    r = add_node_row(c, id, redis.call('HGET', K .. 'ns', id))
  end
  return r
end

-- Writes back the rows marked in c.dirty, one HSET per chunk.
local function save_node_rows(c)
  local args, np = {}, 0
  for r = 1, c.n do
    if c.dirty[r] then
      args[np + 1], args[np + 2] = c.id[r], state_text(c.fixed[r], c.us[r], c.uc[r], c.um[r], c.lc[r])
      np = np + 2
    end
  end
  if np > 0 then
    bulk('HSET', K .. 'ns', args, 2)
  end
end

-- Texts of a node id behind a base that every pass makes again for each of its nodes (a node's
-- lease key, its node.assigned channel: ~1,600 instructions per node and pass for the two),
-- kept from call to call in a cache `c` (a table, one per kind of text) while the base stays the
-- same: node_texts(c, base) gives the cached texts by id, the caller reads them inline (this runs
-- per node) and calls node_text() on a miss. At most NODE_TEXT_MAX ids, then the cache starts
-- afresh (node ids come and go). As plain EVAL scripts (the fallback) they start empty each call.
local NODE_TEXT_MAX = 10000
local LEASE_KEYS, CHANNELS = { n = 0, ids = {} }, { n = 0, ids = {} }

local function node_texts(c, base)
  if c.base ~= base then
    c.base, c.n, c.ids = base, 0, {}
  end
  return c.ids
end

local function node_text(c, base, id)
  if c.n >= NODE_TEXT_MAX then
    c.n, c.ids = 0, {}
  end
  local s = base .. id
  c.ids[id] = s
  c.n = c.n + 1
  return s
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
