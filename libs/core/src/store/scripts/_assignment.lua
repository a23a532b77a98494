-- Shared by the scripts that lease queued tasks to a node: assign.lua (the leader's decisions) and
-- finish.lua (standby hints taken when a node frees capacity, _standby.lua). Loaded after
-- _prelude.lua (lua-scripts.ts).

-- cjson.encode of each type name, once per call (reset with the other per-call state)
local TYPE_JSON = {}

-- The fields lease_head() reads, matched once by its caller (string.match(raw, LEASE_HEAD); nil
-- when the header is corrupt): state; "ty|pr|ma|to|" as one capture, with ty and to; a; l;
-- "c|sl|qa|cpu|mem|ra|" as one capture, with sl, cpu and mem; f; as; the cold JSON; where the
-- header line ends (layout: HEAD in _prelude.lua). The stretches a lease keeps are single
-- captures, so the fields in them are not made strings one by one.
local LEASE_HEAD = '^(%a)|(([^|]*)|[^|]*|[^|]*|([^|]*)|)([^|]*)|([^|]*)|'
  .. '([^|]*|([^|]*)|[^|]*|([^|]*)|([^|]*)|[^|]*|)'
  .. '[^|]*|[^|]*|[^|]*|[^|]*|([^|]*)|([^|]*)|[^|]*|[^|]*|[^|]*|([^\n]*)()\n'

-- queued -> assigned of the record `raw` of task `id` on `nodeId` (incarnation `inc`), its
-- LEASE_HEAD fields (from `st` on) as further arguments: the caller has checked state, node and
-- capacity. Returns the new record, the lease, the attempt and the fields a worker needs: type,
-- timeout, payload JSON, slots, cpu, memory (numbers); then the texts of lease, attempt, timeout,
-- slots, cpu and memory (for task_json_text_parts()).
local function lease_head(raw, id, nodeId, inc, now, nowText, _, tyToText, ty, toText, a, l, cSlToRa, slText,
                          cpuText, memText, fin, as, cold, p0)
  if p0 == nil then
    error('corrupt task record header')
  end
  -- the payload alone (as string.sub(payload_part(rest), 2)); "\n<payload>[\n<result>]" is
  -- copied from raw only when there is a result segment (fewer bytes made, see task_json_text_parts())
  local nl = string.find(raw, '\n', p0 + 1, true)
  local payload = string.sub(raw, p0 + 1, nl and nl - 1 or -1)
  local rest = nl and string.sub(raw, p0)
  -- what follows the header line: rest, or "\n" and the payload (joined in the concatenation)
  local sep, after = '\n', payload
  if rest then
    sep, after = '', rest
  end
  local record, lease, attempt, leaseText, attemptText
  if as == '' and (cold == '' or not string.find(cold, '"h":', 1, true)) then
    -- first attempt, no history: the new attempt is the open one in the header line (state a,
    -- attempt, lease, updated, the lease's node and incarnation, no start; the attempt's start is
    -- now), written with one concatenation
    lease, attempt = (TEXT_NUM[l] or text_num(l)) + 1, (TEXT_NUM[a] or text_num(a)) + 1
    leaseText, attemptText = num_text(lease), num_text(attempt)
    record = 'a|' .. tyToText .. attemptText .. '|' .. leaseText .. '|' .. cSlToRa .. nowText .. '|'
      .. nodeId .. '|' .. num_text(inc) .. '||' .. fin .. '|' .. nowText .. '||||' .. cold .. sep .. after
  else
    -- a retry: the previous attempt moves into the history (JSON)
    local h = split(raw)
    h.s = 'assigned'
    h.a = h.a + 1
    h.l = h.l + 1
    h.n = nodeId
    h.i = inc
    h.u = now
    h.sa = nil
    push_attempt(h, { l = h.l, n = nodeId, i = inc, as = now })
    record = join(h, rest or ('\n' .. payload))
    lease, attempt = h.l, h.a
    leaseText, attemptText = num_text(lease), num_text(attempt)
  end
  -- sl and the timeout are always written, an empty cpu or memory is 0; the texts are those of
  -- the numbers as num_text() writes them (submits take whole numbers only)
  local cpu, mem = 0, 0
  if cpuText == '' then
    cpuText = '0'
  else
    cpu = TEXT_NUM[cpuText] or text_num(cpuText)
  end
  if memText == '' then
    memText = '0'
  else
    mem = TEXT_NUM[memText] or text_num(memText)
  end
  return record, lease, attempt, ty, TEXT_NUM[toText] or text_num(toText), payload,
    TEXT_NUM[slText] or text_num(slText), cpu, mem,
    leaseText, attemptText, toText, slText, cpuText, memText
end

-- A leased task as the worker reads it (AssignedTask, the tasks of a node.assigned message):
--   '{"id":"' id MID payload TAIL
-- MID (lease, attempt, type, timeout, up to "input":) and TAIL (slots, cpu, memory) are the same
-- for most tasks of a batch (a first attempt's lease and attempt are 1, a type's timeout and
-- requirements repeat), so each distinct one is made once per call (JSON_MID, JSON_TAIL: per-call
-- state) and a task adds no string of its own: every Lua string made costs about 1.4 ns per byte
-- in this Redis (it is hashed whole) plus its share of garbage collection. The payload is its
-- JSON text as stored (validated at submit), the value of "input" (encoding it as a JSON string
-- cost ~7k instructions per task). The numbers go in as their texts (num_text(); what
-- lease_head() returns after the numbers).
local JSON_MID, JSON_TAIL = {}, {}

-- A cache level: t[k], made on first use.
local function level(t, k)
  local l = t[k]
  if l == nil then
    l = {}
    t[k] = l
  end
  return l
end

local function task_json_mid(leaseText, attemptText, ty, toText)
  local byLease = level(level(JSON_MID, ty), toText)
  local byAttempt = byLease[leaseText]
  local mid = byAttempt and byAttempt[attemptText]
  if mid == nil then
    local tyJson = TYPE_JSON[ty]
    if tyJson == nil then
      tyJson = cjson.encode(ty)
      TYPE_JSON[ty] = tyJson
    end
    mid = '","lease":' .. leaseText .. ',"attempt":' .. attemptText .. ',"type":' .. tyJson .. ',"timeoutMs":'
      .. toText .. ',"input":'
    level(byLease, leaseText)[attemptText] = mid
  end
  return mid
end

local function task_json_tail(slText, cpuText, memText)
  local byCpu = level(JSON_TAIL, slText)
  local byMem = byCpu[cpuText]
  local tail = byMem and byMem[memText]
  if tail == nil then
    tail = ',"slots":' .. slText .. ',"cpu":' .. cpuText .. ',"memoryMb":' .. memText .. '}'
    level(byCpu, cpuText)[memText] = tail
  end
  return tail
end

-- The same task in three pieces: before the payload, the payload, after it (_standby.lua).
local function task_json_text_parts(id, leaseText, attemptText, ty, toText, payload, slText, cpuText, memText)
  return '{"id":"' .. id .. task_json_mid(leaseText, attemptText, ty, toText), payload,
    task_json_tail(slText, cpuText, memText)
end

-- Writes a batch of leased tasks: the new records (`writes`: key, record, ...) with MSET and
-- their removal from the ready queues (`dequeued`: type -> ids), in bulk chunks.
local function write_leased(writes, dequeued)
  for s = 1, #writes, BULK_CHUNK * 2 do
    redis.call('MSET', unpack(writes, s, math.min(#writes, s + BULK_CHUNK * 2 - 1)))
  end
  for ty, ids in pairs(dequeued) do
    bulk('ZREM', K .. 'q:' .. ty, ids, 1)
  end
end
