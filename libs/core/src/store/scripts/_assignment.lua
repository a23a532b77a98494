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
  -- copied from raw only when there is a result segment (fewer bytes made, see task_json_parts())
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
    lease, attempt = l + 1, a + 1
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
    cpu = cpuText + 0
  end
  if memText == '' then
    memText = '0'
  else
    mem = memText + 0
  end
  return record, lease, attempt, ty, toText + 0, payload, slText + 0, cpu, mem,
    leaseText, attemptText, toText, slText, cpuText, memText
end

-- A leased task as the worker reads it (AssignedTask, the tasks of a node.assigned message), in
-- three pieces: before the payload, the payload's JSON text as stored (validated at submit) as
-- the value of "input" (encoding it as a JSON string cost ~7k instructions per task), after it.
-- Joined with one
-- table.concat by the caller: every Lua string made costs about 1.4 ns per byte in this Redis (it
-- is hashed whole), so the ~420 bytes of a task are not joined twice.
-- The numbers as their texts (num_text(); what lease_head() returns after the numbers).
local function task_json_text_parts(id, leaseText, attemptText, ty, toText, payload, slText, cpuText, memText)
  local tyJson = TYPE_JSON[ty]
  if tyJson == nil then
    tyJson = cjson.encode(ty)
    TYPE_JSON[ty] = tyJson
  end
  return '{"id":"' .. id .. '","lease":' .. leaseText .. ',"attempt":' .. attemptText
    .. ',"type":' .. tyJson .. ',"timeoutMs":' .. toText .. ',"input":',
    payload,
    ',"slots":' .. slText .. ',"cpu":' .. cpuText .. ',"memoryMb":' .. memText .. '}'
end

-- The same from the numbers (assign.lua).
local function task_json_parts(id, lease, attempt, ty, to, payload, sl, cpu, mem)
  return task_json_text_parts(id, num_text(lease), num_text(attempt), ty, num_text(to), payload, num_text(sl),
    num_text(cpu), num_text(mem))
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
