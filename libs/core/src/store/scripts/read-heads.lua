--[[ read-heads: one read per scheduling tick. Promotes due delayed tasks, then returns the
  heads of the ready queues the leader can serve, and the depth of every ready queue.
KEYS[1]  key base
ARGV[1]  now   ARGV[2] aging step (ms)   ARGV[3] max promotions   ARGV[4] max types reported
ARGV[5]  m, then m groups: type, how many heads to return, how many more to return past them
         for standby hints, c, the first and the last of c task ids ('' when c = 0), k, then k
         task ids those are not to include (the hints already held). c: the leader's commit in
         flight takes the first c heads of its last read (read ahead of that commit); when the
         queue still starts with them (its first and c-th members are those two) they are read
         past, else the heads are read from the front, c more of them, and the leader drops the
         ones it has in flight
Reply: { promoted, next due time ('' = none), {type, depth, ...}, {type, id, record, ...},
         node registry version, finished tasks whose dependents wait to be resolved }
         (record: the whole record, or its header line when it is large: the reader takes the
         text up to the first newline)
]]
-- (numbers the caller always sends: `+ 0` converts them for ~600 instructions, tonumber() ~1,700)
local now, aging, maxPromote, maxTypes, m = ARGV[1] + 0, ARGV[2] + 0, ARGV[3] + 0, ARGV[4] + 0, ARGV[5] + 0

-- a head's record: whole up to this many bytes (a 256-byte payload's is ~310), else its header
-- line alone (a large payload is not sent to the leader, which reads only the header)
local WHOLE_HEAD_MAX = 1024

local promoted = 0
-- (numbers as text: ARGV as sent, see the prelude on numbers given to redis.call)
local due = redis.call('ZRANGEBYSCORE', K .. 'delayed', '-inf', ARGV[1], 'LIMIT', '0', ARGV[3])
for _, id in ipairs(due) do
  local raw = redis.call('GET', K .. 't:' .. id)
  if raw then
    local h, rest = split(raw)
    if h.s == 'delayed' and may('delayed', 'queued') then
      enqueue(id, h, rest, now, aging)
      promoted = promoted + 1
    end
  end
  redis.call('ZREM', K .. 'delayed', id)
end
flush_events()
local nextDue = redis.call('ZRANGE', K .. 'delayed', '0', '0', 'WITHSCORES')[2] or ''

local depths = {}
local types = redis.call('SRANDMEMBER', K .. 'types', ARGV[4])
for _, ty in ipairs(types) do
  local depth = redis.call('ZCARD', K .. 'q:' .. ty)
  if depth == 0 then
    redis.call('SREM', K .. 'types', ty)
  else
    table.insert(depths, ty)
    table.insert(depths, depth)
  end
end

local heads, nh = {}, 0
local b = 6
for _ = 1, m do
  local ty, limit, ahead, flying = ARGV[b], ARGV[b + 1] + 0, ARGV[b + 2] + 0, ARGV[b + 3] + 0
  local nskip = ARGV[b + 6] + 0
  local skip = {}
  for x = b + 7, b + 6 + nskip do
    skip[ARGV[x]] = true
  end
  if limit + ahead > 0 then
    local q, from = K .. 'q:' .. ty, 0
    if flying > 0 then
      local last = num_text(flying - 1)
      if redis.call('ZRANGE', q, '0', '0')[1] == ARGV[b + 4]
        and redis.call('ZRANGE', q, last, last)[1] == ARGV[b + 5] then
        from = flying
      else
        limit = limit + flying
      end
    end
    local ids = redis.call('ZRANGE', q, num_text(from), num_text(from + limit + ahead + nskip - 1))
    if #ids > limit then
      -- the first `limit` as they are; then up to `ahead` more that are not held as standby hints
      local kept, more = {}, 0
      for i, id in ipairs(ids) do
        if i <= limit then
          kept[i] = id
        elseif more < ahead and not skip[id] then
          more = more + 1
          kept[limit + more] = id
        end
      end
      ids = kept
    end
    local raws = mget_records(ids)
    for i, id in ipairs(ids) do
      local raw = raws[i]
      if raw then
        heads[nh + 1], heads[nh + 2] = ty, id
        -- a small record goes whole and the leader cuts its header line: cutting it here made a
        -- string per head (~2.9k instructions per head, ~18% of this script per head)
        if #raw <= WHOLE_HEAD_MAX then
          heads[nh + 3] = raw
        else
          heads[nh + 3] = string.sub(raw, 1, string.find(raw, '\n', 1, true) - 1)
        end
        nh = nh + 3
      else
        -- the record expired or was deleted under us: drop the dangling index entry
        redis.call('ZREM', q, id)
      end
    end
  end
  b = b + 7 + nskip
end
return {
  promoted, nextDue, depths, heads,
  tonumber(redis.call('GET', K .. 'nodes:ver') or '0'),
  redis.call('SCARD', K .. 'resolving'),
}
