--[[ start: a worker reports that it started tasks (assigned -> running), in a batch.
KEYS[1]  key base
ARGV[1]  node id   ARGV[2] incarnation   ARGV[3] n, then n groups of 3: task id, lease, started at
Reply: n entries: 'running' | 'stale' | 'gone' | 'state:<s>'
]]
local node, incText, n = ARGV[1], ARGV[2], ARGV[3] + 0
local out = {}
local match = string.match
-- a start's fields: state, then fields ty..ra as one capture (with ty and l), u skipped, "n|i|"
-- as one capture (with n and i), sa skipped, "f|as|" as one capture (with as), asa skipped, then
-- where the rest of the record starts (see HEAD)
local START_HEAD = '^(%a)|(([^|]*)|[^|]*|[^|]*|[^|]*|[^|]*|([^|]*)|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|)'
  .. '[^|]*|(([^|]*)|([^|]*)|)[^|]*|([^|]*|([^|]*)|)[^|]*|()'
-- every record read with one MGET (its key made once); a task named twice in a batch sees its
-- own earlier write (`written`)
local ids, keys, written = {}, {}, {}
for j = 0, n - 1 do
  ids[j + 1] = ARGV[4 + j * 3]
end
local raws = mget_records(ids, keys)
for j = 0, n - 1 do
  local b = 4 + j * 3
  local id, leaseText = ARGV[b], ARGV[b + 1]
  local key = keys[j + 1]
  local raw = written[id] or raws[j + 1]
  if not raw then
    out[j + 1] = 'gone'
  else
    -- the fields a start reads, matched once (START_HEAD): the stretches it keeps are single
    -- captures, and the rest of the record (ea onwards) is copied from where asa ends
    local st, kept, ty, l, lnli, ln, li, finAs, as, ea = match(raw, START_HEAD)
    if st == nil then
      error('corrupt task record header')
    end
    if not lease_fields_hold(st, l, ln, li, leaseText, node, incText) then
      out[j + 1] = 'stale'
    elseif st == 'r' then
      out[j + 1] = 'running'
    elseif not may(STATE_NAME[st], 'running') then
      out[j + 1] = 'state:' .. STATE_NAME[st]
    elseif as ~= '' then
      -- the open attempt starts: state r, updated, started and the attempt's start change, with
      -- one concatenation and no JSON decoded
      local at = time_text(ARGV[b + 2])
      local record = 'r|' .. kept .. at .. '|' .. lnli .. at .. '|' .. finAs .. at .. '|'
        .. string.sub(raw, ea)
      written[id] = record
      redis.call('SET', key, record)
      emit_event('task', id, 'running', ty, node)
      out[j + 1] = 'running'
    else
      local h, rest = split(raw)
      local startedAt = tonumber(ARGV[b + 2])
      h.s = 'running'
      h.sa = startedAt
      h.u = startedAt
      local att = current_attempt(h)
      if att then
        att.sa = startedAt
      end
      local record = join(h, rest)
      written[id] = record
      redis.call('SET', key, record)
      emit_event('task', id, 'running', h.ty, node)
      out[j + 1] = 'running'
    end
  end
end
flush_events()
return out
