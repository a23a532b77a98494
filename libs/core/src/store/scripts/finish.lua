--[[ finish: a worker records the outcome of attempts (batch). Each report must carry the
  current lease (sequence, node, incarnation); any other report is stale and changes nothing.
  A task whose start report had not been sent yet goes assigned -> running -> outcome here.
KEYS[1]  key base
ARGV[1]  now   ARGV[2] node id   ARGV[3] incarnation   ARGV[4] aging step (ms)
ARGV[5]  finished retention (ms)   ARGV[6] finished list cap   ARGV[7] failed cap
ARGV[8]  n, then n groups of 6:
         task id, lease, outcome (ok | error), started at, body, retry
         body:  ok -> result JSON; error -> {"m": message, "c": code, "r": retryable}
         retry: "<fixed|exponential>,<baseMs>,<capMs>,<jitter>,<random 0..1>" (default policy;
                a task's own policy wins; '' for an ok report, which does not read it)
ARGV[9 + 6n]  channel for the tasks.finished announcement ('' or absent: none). Published here,
         with the outcomes and the capacity given back, so subscribers hear it without a second
         write from the worker; same wire text as the bus publisher's (a Nest packet).
ARGV[10 + 6n] lease grace (ms) to take the node's standby hints with (_standby.lua; '' or
         absent: none are taken). The announcement then also names the hints taken and dropped
         and what the taken tasks use: "standby":{"took":[...],"dropped":[...],"slots":..,...}.
         It also counts the finished tasks whose dependents wait to be resolved ("resolving").
Reply: n entries: 'succeeded' | 'delayed' | 'failed' | 'stale' | 'gone' | 'state:<s>'; with
       standby, one more: the tasks leased to the node from its hints, as a node.assigned
       message's tasks in three pieces of JSON text each (task_json_text_parts; none when none), for
       the caller to join: not joined here, where every string made is hashed whole
]]
-- (numbers the caller always sends: `+ 0` converts them for ~600 instructions, tonumber() ~1,700)
local now, node, inc, aging = ARGV[1] + 0, ARGV[2], ARGV[3] + 0, ARGV[4] + 0
local incText = ARGV[3]
local retainMs, finishedCap, failedCap, n =
  ARGV[5] + 0, ARGV[6] + 0, ARGV[7] + 0, ARGV[8] + 0
-- `now` as the header writes it and the retention as SET takes it (once, not per task)
local nowText, retainText = num_text(now), time_text(ARGV[5])
local match = string.match
-- a success's fields: state, then fields ty..ra as one capture (with ty, l, sl, cpu and mem on
-- their own), u skipped, "n|i|" as one capture (the lease's node and incarnation, compared whole
-- with LEASE_NI), sa, f skipped, as, asa, ea and o skipped, then where the cold JSON starts and
-- where the header line ends (see HEAD)
local FINISH_HEAD = '^(%a)|(([^|]*)|[^|]*|[^|]*|[^|]*|[^|]*|([^|]*)|[^|]*|([^|]*)|[^|]*|([^|]*)|([^|]*)|'
  .. '[^|]*|)[^|]*|([^|]*|[^|]*|)([^|]*)|[^|]*|([^|]*)|([^|]*)|[^|]*|[^|]*|()[^\n]*()\n'
-- "n|i|" of a record leased to this node and incarnation as assign.lua and _standby.lua write it
-- (the incarnation as sent: a worker sends the number it was given, in the same text); a record
-- whose fields differ only in how a number is written goes to finish_slow, which compares numbers
local LEASE_NI = node .. '|' .. incText .. '|'

local function backoff(h, spec, attempt)
  local kind, base, cap, jitter, rnd = string.match(spec, '^([^,]+),([^,]+),([^,]+),([^,]+),([^,]+)$')
  base, cap, jitter, rnd = tonumber(base), tonumber(cap), tonumber(jitter), tonumber(rnd)
  if h.rp then
    kind, base, cap, jitter = h.rp.backoff, h.rp.baseMs, h.rp.capMs, h.rp.jitter
  end
  local delay = base
  if kind == 'exponential' then
    delay = base * 2 ^ math.max(0, attempt - 1)
  end
  delay = math.min(cap, delay)
  return math.floor(delay * (1 - jitter * rnd))
end

local out = {}
local finished = {}
-- lease entries of this node and type-limit entries per type, removed in bulk after the loop
local unleased, untyped = {}, {}
local freedSlots, freedCpu, freedMem = 0, 0, 0
local counts = { succeeded = 0, failed = 0, retried = 0 }
-- the 'succeeded' events of the fast path go out per run of one type (emit_run): runFrom is where
-- the run of type runTy not written yet starts in `finished` (nf entries); any other event is
-- written after it (emit_succeeded first), so the events keep the reports' order
local nf, runTy, runFrom = 0, nil, 1
local function emit_succeeded()
  emit_run('task', 'succeeded', runTy, nil, finished, runFrom, nf, 1)
  runFrom = nf + 1
end
-- The attempt of `id` ends: its lease and type-limit entries go (in bulk, after the loop) and
-- its capacity is given back.
local function release(id, ty, slots, cpu, mem)
  unleased[#unleased + 1] = id
  push_at(untyped, ty, id)
  freedSlots = freedSlots + slots
  freedCpu = freedCpu + (cpu or 0)
  freedMem = freedMem + (mem or 0)
end
-- Any report but the success of an open attempt: on the whole header (JSON decoded).
local function finish_slow(id, key, raw, lease, outcome, startedAt, body, retry)
  local h, rest = split(raw)
  if not holds_lease(h, lease, node, inc) then
    return 'stale'
  elseif h.s ~= 'assigned' and h.s ~= 'running' then
    return 'state:' .. h.s
  end
  if h.s == 'assigned' then
    h.s = 'running'
  end
  h.sa = h.sa or startedAt
  local att = current_attempt(h)
  if att then
    att.sa = att.sa or startedAt
    att.ea = now
  end
  release(id, h.ty, h.sl, h.cpu, h.mem)
  h.u = now
  h.n = nil
  h.i = nil
  if outcome == 'ok' then
    h.s = 'succeeded'
    h.f = now
    if att then
      att.o = 'succeeded'
    end
    mark_finished(id, h, payload_part(rest) .. '\n' .. body, retainMs, true)
    nf = nf + 1
    finished[nf] = id
    counts.succeeded = counts.succeeded + 1
    return 'succeeded'
  end
  local e = cjson.decode(body)
  h.e = { m = e.m, c = e.c, r = e.r == true }
  if att then
    att.o = (e.c == 'timeout') and 'timeout' or 'failed'
    att.m = e.m
  end
  if not h.e.r or h.a >= h.ma then
    mark_failed(id, h, rest, now, failedCap)
    counts.failed = counts.failed + 1
    return 'failed'
  end
  h.s = 'delayed'
  h.ra = now + backoff(h, retry, h.a)
  redis.call('SET', key, join(h, rest))
  redis.call('ZADD', K .. 'delayed', h.ra, id)
  emit_event('task', id, 'delayed', h.ty, node)
  counts.retried = counts.retried + 1
  return 'delayed'
end

-- every record read with one MGET (and its key made once)
local ids, keys, seen = {}, {}, {}
for j = 0, n - 1 do
  ids[j + 1] = ARGV[9 + j * 6]
end
local raws = mget_records(ids, keys)
for j = 0, n - 1 do
  local b = 9 + j * 6
  local id, leaseText, outcome = ARGV[b], ARGV[b + 1], ARGV[b + 2]
  local body, retry = ARGV[b + 4], ARGV[b + 5]
  local key = keys[j + 1]
  -- a task reported twice in one batch is read again after its first report
  local raw = raws[j + 1]
  if seen[id] then
    raw = redis.call('GET', key)
  end
  seen[id] = true
  if not raw then
    out[j + 1] = 'gone'
  else
    -- the fields a success reads, matched once (FINISH_HEAD): the stretches it keeps as they are
    -- are single captures (ty..ra, the lease's node and incarnation) or positions (the cold JSON
    -- up to the payload's end), so no other field becomes a string
    local st, kept, ty, l, sl, cpu, mem, lnli, sa, as, asa, pc, p0 = match(raw, FINISH_HEAD)
    if st == nil then
      error('corrupt task record header')
    end
    -- the lease check of lease_fields_hold, node and incarnation as one text (LEASE_NI)
    if outcome == 'ok' and as ~= '' and lnli == LEASE_NI and leased_state(st)
      and (l == leaseText or tonumber(l) == tonumber(leaseText)) then
      -- success of the open attempt: a few header fields change, no JSON is decoded
      -- (sl is always written; an empty cpu or memory is 0)
      -- (the numbers of the texts as text_num keeps them: read inline, this runs per task)
      release(id, ty, TEXT_NUM[sl] or text_num(sl), cpu == '' and 0 or TEXT_NUM[cpu] or text_num(cpu),
        mem == '' and 0 or TEXT_NUM[mem] or text_num(mem))
      if sa == '' or asa == '' then
        local started = time_text(ARGV[b + 3])
        if sa == '' then
          sa = started
        end
        if asa == '' then
          asa = started
        end
      end
      -- state s, updated, finished, the attempt's end and outcome; then the cold JSON and the
      -- payload (up to a result segment, as payload_part) and the result
      local nl = string.find(raw, '\n', p0 + 1, true)
      redis.call('SET', key, 's|' .. kept .. nowText .. '|' .. lnli .. sa .. '|' .. nowText .. '|' .. as
        .. '|' .. asa .. '|' .. nowText .. '|succeeded|' .. string.sub(raw, pc, nl and nl - 1 or -1) .. '\n'
        .. body, 'PX', retainText)
      if ty ~= runTy then
        emit_succeeded()
        runTy = ty
      end
      nf = nf + 1
      finished[nf] = id
      counts.succeeded = counts.succeeded + 1
      out[j + 1] = 'succeeded'
    else
      emit_succeeded()
      out[j + 1] = finish_slow(id, key, raw, tonumber(leaseText), outcome, tonumber(ARGV[b + 3]), body, retry)
      -- a success there is in `finished` with its event written
      runFrom = nf + 1
    end
  end
end

emit_succeeded()
bulk('ZREM', K .. 'nl:' .. node, unleased, 1)
for ty, ids in pairs(untyped) do
  bulk('ZREM', K .. 'tl:' .. ty, ids, 1)
end
note_terminal_many(finished)
local grace = tonumber(ARGV[10 + n * 6] or '')
local sb
if grace then
  sb = take_standby(node, inc, freedSlots, freedCpu, freedMem, now, nowText, grace)
elseif freedSlots > 0 or freedCpu > 0 or freedMem > 0 then
  adjust_usage(node, inc, -freedSlots, -freedCpu, -freedMem, now)
end
trim_finished(finished, finishedCap)
for name, count in pairs(counts) do
  if count > 0 then
    redis.call('HINCRBY', K .. 'stats', name, num_text(count))
  end
end
flush_events()

local channel = ARGV[9 + n * 6]
local ended = counts.succeeded + counts.failed + counts.retried
local sbText = ''
if sb and (#sb.took > 0 or #sb.dropped > 0) then
  sbText = ',"standby":{"took":[' .. (#sb.took > 0 and '"' .. table.concat(sb.took, '","') .. '"' or '')
    .. '],"dropped":[' .. (#sb.dropped > 0 and '"' .. table.concat(sb.dropped, '","') .. '"' or '')
    .. '],"slots":' .. num_text(sb.slots) .. ',"cpu":' .. num_text(sb.cpu) .. ',"memoryMb":' .. num_text(sb.mem)
    .. '}'
end
if channel and channel ~= '' and (ended > 0 or sbText ~= '') then
  local done, nd = {}, 0
  for j = 1, n do
    if out[j] == 'succeeded' or out[j] == 'failed' then
      nd = nd + 1
      done[nd] = ARGV[9 + (j - 1) * 6]
    end
  end
  local doneJson = nd > 0 and '"' .. table.concat(done, '","') .. '"' or ''
  -- finished tasks whose dependents wait (this call's or earlier): the leader resolves them at
  -- once, and an idle leader that hears none waits for no pass
  local resolving = redis.call('SCARD', K .. 'resolving')
  redis.call('PUBLISH', channel, '{"pattern":"tasks.finished","data":{"node":' .. cjson.encode(node)
    .. ',"done":[' .. doneJson .. '],"ended":' .. num_text(ended)
    .. ',"freed":{"slots":' .. num_text(freedSlots) .. ',"cpu":' .. num_text(freedCpu)
    .. ',"memoryMb":' .. num_text(freedMem) .. '}' .. sbText .. ',"resolving":' .. num_text(resolving) .. '}}')
end
if sb then
  out[n + 1] = sb.parts
end
return out
