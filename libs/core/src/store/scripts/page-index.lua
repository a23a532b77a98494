--[[ page-index: one page of task ids from an index, in the index's order, after a cursor.
  The cursor is the last id of the previous page and its score; if that id left the index
  meanwhile, the page resumes at its place by score (ties by id, as Redis orders them).
KEYS[1]  key base
ARGV[1]  index key suffix (failed | delayed | q:<type> | done)
ARGV[2]  order: asc | desc (sorted sets) | list
ARGV[3]  cursor id ('' = first page)   ARGV[4] cursor score (sorted sets)   ARGV[5] limit
Reply: { {id, score, id, score, ...}, more (1 | 0) }   (score '' for lists)
]]
local key, order, cursor, cscore, limit = K .. ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local TIES_CAP = 10000
local start = 0
local out = {}
if order == 'list' then
  if cursor ~= '' then
    local pos = redis.call('LPOS', key, cursor)
    if not pos then
      return { out, 0 }
    end
    start = pos + 1
  end
  local ids = redis.call('LRANGE', key, start, start + limit)
  for j = 1, math.min(#ids, limit) do
    table.insert(out, ids[j])
    table.insert(out, '')
  end
  return { out, #ids > limit and 1 or 0 }
end
if cursor ~= '' then
  local rank
  if order == 'asc' then
    rank = redis.call('ZRANK', key, cursor)
  else
    rank = redis.call('ZREVRANK', key, cursor)
  end
  if rank then
    start = rank + 1
  else
    local ties = redis.call('ZRANGEBYSCORE', key, cscore, cscore, 'LIMIT', 0, TIES_CAP)
    if order == 'asc' then
      start = redis.call('ZCOUNT', key, '-inf', '(' .. cscore)
      for _, id in ipairs(ties) do
        if id < cursor then
          start = start + 1
        end
      end
    else
      start = redis.call('ZCOUNT', key, '(' .. cscore, '+inf')
      for _, id in ipairs(ties) do
        if id > cursor then
          start = start + 1
        end
      end
    end
  end
end
local page
if order == 'asc' then
  page = redis.call('ZRANGE', key, start, start + limit, 'WITHSCORES')
else
  page = redis.call('ZREVRANGE', key, start, start + limit, 'WITHSCORES')
end
for j = 1, math.min(#page, limit * 2) do
  table.insert(out, page[j])
end
return { out, #page > limit * 2 and 1 or 0 }
