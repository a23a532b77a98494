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

-- The number of a text, kept in `nums` (text -> number) when given: tonumber() of a text runs
-- strtod twice (~700 instructions), a hit is one table read. A batch repeats a few texts: nodes
-- of one shape share their capacity, their incarnations and usage are often the same few values,
-- and so are a batch's task requirements. Without `nums`: tonumber().
local function number_of(nums, text)
  if nums == nil then
    return tonumber(text)
  end
  local x = nums[text]
  if x == nil then
    x = tonumber(text)
    nums[text] = x
  end
  return x
end

-- `it`: the incarnation as stored (every writer formats it with num_text, so it is num_text(inc)).
local function decode_node(v, nums)
  if not v then
    return false
  end
  local fixed, inc, st, cs, cc, cm, us, uc, um, lc = string.match(v, NODE_STATE)
  if fixed == nil then
    error('corrupt node state')
  end
  return {
    fixed = fixed, inc = number_of(nums, inc), it = inc, st = st, cs = number_of(nums, cs),
    cc = number_of(nums, cc), cm = number_of(nums, cm), us = number_of(nums, us),
    uc = number_of(nums, uc), um = number_of(nums, um), lc = lc,
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

-- The states of distinct node ids `ids`, one HMGET per chunk, into `out` (id -> state table or
-- false; the caller may have made its keys already, so the table is not grown twice); `nums` as
-- for decode_node.
local function node_states(ids, out, nums)
  for s = 1, #ids, BULK_CHUNK do
    local e = math.min(#ids, s + BULK_CHUNK - 1)
    local v = redis.call('HMGET', K .. 'ns', unpack(ids, s, e))
    for i = s, e do
      out[ids[i]] = decode_node(v[i - s + 1], nums)
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
