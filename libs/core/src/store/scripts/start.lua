--[[ start: a worker reports that it started tasks (assigned -> running), in a batch.
KEYS[1]  key base
ARGV[1]  node id   ARGV[2] incarnation   ARGV[3] n, then n groups of 3: task id, lease, started at
Reply: n entries: 'running' | 'stale' | 'gone' | 'state:<s>'
]]
local node, inc, n = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for j = 0, n - 1 do
  local b = 4 + j * 3
  local id, lease, startedAt = ARGV[b], tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2])
  local key = K .. 't:' .. id
  local raw = redis.call('GET', key)
  if not raw then
    out[j + 1] = 'gone'
  else
    local f = read_head(raw)
    if not head_holds_lease(f, lease, node, inc) then
      out[j + 1] = 'stale'
    elseif f[1] == 'r' then
      out[j + 1] = 'running'
    elseif not may(STATE_NAME[f[1]], 'running') then
      out[j + 1] = 'state:' .. STATE_NAME[f[1]]
    elseif f[19] ~= '' then
      -- the open attempt starts: a few header fields change, no JSON is decoded
      local at = txt(startedAt)
      f[1], f[14], f[17], f[20] = 'r', at, at, at
      redis.call('SET', key, write_head(f, string.sub(raw, f[24])))
      emit_event('task', id, 'running', f[2], node)
      out[j + 1] = 'running'
    else
      local h, rest = split(raw)
      h.s = 'running'
      h.sa = startedAt
      h.u = startedAt
      local att = current_attempt(h)
      if att then
        att.sa = startedAt
      end
      redis.call('SET', key, join(h, rest))
      emit_event('task', id, 'running', h.ty, node)
      out[j + 1] = 'running'
    end
  end
end
flush_events()
return out
