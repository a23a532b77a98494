--[[ progress: a worker records the latest progress of tasks it runs, in a batch.
Not a state change: the record keeps its state; only the `pg` header field is replaced, and
only under the reporter's current lease of a running task (a stale report is ignored).
The data is kept as JSON text (cjson would turn an empty array into an object).
KEYS[1]  key base
ARGV[1]  node id   ARGV[2] incarnation   ARGV[3] n, then n groups of 4:
         task id, lease, percent (0..100), data JSON ('' = none)
Reply: n entries: 'ok' | 'stale' | 'gone' | 'state:<s>'
]]
local node, inc, n = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for j = 0, n - 1 do
  local b = 4 + j * 4
  local id, lease, percent, data = ARGV[b], tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), ARGV[b + 3]
  local key = K .. 't:' .. id
  local raw = redis.call('GET', key)
  if not raw then
    out[j + 1] = 'gone'
  else
    local h, rest = split(raw)
    if not holds_lease(h, lease, node, inc) then
      out[j + 1] = 'stale'
    elseif h.s ~= 'running' then
      out[j + 1] = 'state:' .. h.s
    else
      h.pg = { p = percent }
      if data ~= '' then
        h.pg.d = data
      end
      redis.call('SET', key, join(h, rest))
      emit_event('progress', id, 'running', h.ty, node)
      out[j + 1] = 'ok'
    end
  end
end
flush_events()
return out
