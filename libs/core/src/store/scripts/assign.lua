--[[ assign: commit one tick's assignment decisions (queued -> assigned), atomically.
  Re-checks the leader lease, each task's state and each node's incarnation, status and
  free capacity; a decision that no longer holds is skipped, the others commit.
KEYS[1]  key base
ARGV[1]  leader lease value ("<epoch>:<token>")   ARGV[2] now   ARGV[3] lease grace (ms)
ARGV[4]  n, then n groups of 3: task id, node id, node incarnation
then     m, then m groups of 3: task type, max running (0 = none), max starts per second (0 = none)
         (cluster-wide TYPE_LIMITS of the types in this batch; re-checked here, see type_room)
then     channel base of the node.assigned announcements ('' or absent: none; a node's channel
         is the base followed by its id), then MAX_BUS_MESSAGE_BYTES. Published here, one
         message per node (split to fit), so a worker hears its tasks as they commit, with no
         second round trip from the dispatcher; same wire text as the bus publisher's.
then     standby hint lifetime (ms), depth (a node's list holds at most depth × its slot count),
         then s, then s groups of 3: task id, node id, incarnation
         (STANDBY_ASSIGNMENTS: queued tasks for the node to take in its finish call, _standby.lua;
         absent: none)
then     '1' when the decisions must lead their queues (absent: no check): each task of a type
         commits only while it is that queue's first member past the ones this call already
         took, so decisions made without reading the queue (from a tasks.submitted message)
         never overtake a task queued before them (the reply then also counts the finished tasks
         whose dependents wait, which such a pass has not read)
Reply: flat, 3 entries per decision (no table per task: converting one to a reply costs ~8k
       instructions); committed: lease (>= 1), attempt, announced (1 | 0)  (0: too large for
                     any message, or no channel given; the worker reads it from its leases)
                  skipped:   0, reason, 0   (gone | state:<s> | node | capacity | limit | order)
       then one more entry: s flags, 1 where the standby hint was written; with the lead flag,
       one more: how many finished tasks have dependents to resolve (read-heads.lua's count)
Error: NOTLEADER when the lease value does not match (nothing is written).
]]
if redis.call('GET', K .. 'leader') ~= ARGV[1] then
  return redis.error_reply('NOTLEADER the leader lease is held by another dispatcher or expired')
end
-- (numbers the caller always sends: `+ 0` converts them for ~600 instructions, tonumber() ~1,700)
local now, grace, n = ARGV[2] + 0, ARGV[3] + 0, ARGV[4] + 0
local nowText = num_text(now)

-- Cluster-wide type limits: running = members of tl:<type> (pruned past their lease deadline,
-- so a lease that ended without telling us stops counting), starts = this second's counter.
local limits = {}
local lb = 5 + n * 3
for j = 0, (tonumber(ARGV[lb]) or 0) - 1 do
  local ty, run, rate = ARGV[lb + 1 + j * 3], tonumber(ARGV[lb + 2 + j * 3]), tonumber(ARGV[lb + 3 + j * 3])
  redis.call('ZREMRANGEBYSCORE', K .. 'tl:' .. ty, '-inf', now)
  local startsKey = K .. 'ts:' .. ty .. ':' .. math.floor(now / 1000)
  limits[ty] = {
    run = run, rate = rate, startsKey = startsKey,
    running = redis.call('ZCARD', K .. 'tl:' .. ty),
    starts = tonumber(redis.call('GET', startsKey) or '0'),
  }
end

local function type_room(ty)
  local l = limits[ty]
  return l == nil or ((l.run == 0 or l.running < l.run) and (l.rate == 0 or l.starts < l.rate))
end

local function count_type_start(ty, id, deadline)
  local l = limits[ty]
  if l == nil then
    return
  end
  l.running = l.running + 1
  l.starts = l.starts + 1
  redis.call('ZADD', K .. 'tl:' .. ty, deadline, id)
  redis.call('INCR', l.startsKey)
  redis.call('PEXPIRE', l.startsKey, 2000)
end

-- every node the batch names, read with one HMGET (read_node_rows, as rows: _nodes.lua) and
-- written back with one HSET after the loop (save_node_rows); node_row() reads one more on its own
local nodes = node_rows()
do
  local ids, row = {}, nodes.row
  for j = 0, n - 1 do
    local id = ARGV[6 + j * 3]
    if row[id] == nil then
      row[id] = false
      ids[#ids + 1] = id
    end
  end
  read_node_rows(nodes, ids)
end
-- the numbers of the texts this call converts (number_of): also a batch's task requirements
local nums = nodes.nums
-- the columns the loop below reads and writes for every task
local nodeRow, nodeShape, nodeUs, nodeUc, nodeUm, nodeDirty = nodes.row, nodes.shape, nodes.us, nodes.uc,
  nodes.um, nodes.dirty

-- the standby section starts at ab (after the limits); the lead flag follows it
local ab = lb + 1 + (tonumber(ARGV[lb]) or 0) * 3
local mustLead = ARGV[ab + 5 + (tonumber(ARGV[ab + 4]) or 0) * 3] == '1'
local NONE = {}

local out = {}
-- what each node got, in one flat table for the batch (no table per node, none grown per node:
-- a table's growth rehashes it): `told` holds 8 entries per task from its index b: where its announced flag is in `out`, the
-- three pieces of the task's text after its id (task_json_mid, the payload, task_json_tail), lease score, id, the index of the node's next
-- task (false for its last), and type; th[r] and tt[r] are the first and last of node row r.
-- `order` keeps the nodes' rows in their first appearance (their leases, 'assigned' events and
-- node.assigned messages are written in that order), each node's message is joined with one
-- table.concat
local order, told, nt, th, tt = {}, {}, 0, {}, {}

-- queue removals per type, written in bulk after the loop
local dequeued = {}
-- every record read with one MGET (its keys kept for the writes), the new ones written with one MSET; a task named twice in a
-- batch sees its own earlier write (`written`)
local ids = {}
for j = 0, n - 1 do
  ids[j + 1] = ARGV[5 + j * 3]
end
local keys = {}
local raws = mget_records(ids, keys)
local written, writes, nw = {}, {}, 0
-- the transition is the same for every task of the batch
local queuedToAssigned = may('queued', 'assigned')
for j = 0, n - 1 do
  local b = 5 + j * 3
  local id, nodeId, inc = ARGV[b], ARGV[b + 1], number_of(nums, ARGV[b + 2])
  local key = keys[j + 1] -- made by mget_records
  local raw = written[id] or raws[j + 1]
  -- the task's three reply entries (see Reply above): skipped until committed
  local o = j * 3
  out[o + 1], out[o + 3] = 0, 0
  if not raw then
    out[o + 2] = 'gone'
  else
    -- the header fields lease_head() reads, matched once: it takes them as they are
    local st, tyToText, ty, toText, a, l, cSlToRa, slText, cpuText, memText, fin, as, cold, p0 =
      string.match(raw, LEASE_HEAD)
    if st == nil then
      error('corrupt task record header')
    end
    local r = nodeRow[nodeId] -- every node of the batch is read (read_node_rows above)
    local f = r and nodeShape[r]
    local sl, cpu, mem = number_of(nums, slText), number_of(nums, cpuText) or 0,
      number_of(nums, memText) or 0
    if st ~= 'q' or not queuedToAssigned then
      out[o + 2] = 'state:' .. STATE_NAME[st]
    elseif not r or f.inc ~= inc or f.st ~= 'alive' then
      out[o + 2] = 'node'
    elseif nodeUs[r] + sl > f.cs or nodeUc[r] + cpu > f.cc or nodeUm[r] + mem > f.cm then
      out[o + 2] = 'capacity'
    elseif not type_room(ty) then
      out[o + 2] = 'limit'
    elseif mustLead and redis.call('ZRANK', K .. 'q:' .. ty, id) ~= #(dequeued[ty] or NONE) then
      out[o + 2] = 'order'
    else
      push_at(dequeued, ty, id)
      local record, lease, attempt, _, to, payload, _, _, _, leaseText, attemptText, _, _, cpuJson, memJson =
        lease_head(raw, id, nodeId, inc, now, nowText, st, tyToText, ty, toText, a, l, cSlToRa, slText, cpuText,
          memText, fin, as, cold, p0)
      written[id] = record
      writes[nw + 1], writes[nw + 2] = key, record
      nw = nw + 2
      local deadline = now + to + grace
      count_type_start(ty, id, deadline)
      nodeUs[r] = nodeUs[r] + sl
      nodeUc[r] = nodeUc[r] + cpu
      nodeUm[r] = nodeUm[r] + mem
      nodeDirty[r] = true
      out[o + 1], out[o + 2], out[o + 3] = lease, attempt, 1
      -- the task joins its node's chain in `told` (inline: this runs for every task)
      local tb = nt + 1
      nt = nt + 8
      local last = tt[r]
      if last == nil then
        th[r] = tb
        order[#order + 1] = r
      else
        told[last + 6] = tb
      end
      tt[r] = tb
      told[tb], told[tb + 1], told[tb + 2], told[tb + 3] = o + 3,
        task_json_mid(leaseText, attemptText, ty, toText), payload, task_json_tail(slText, cpuJson, memJson)
      -- the lease score as text (lease_score: newest first; a number argument to redis.call is
      -- formatted for every entry, ~2,000 instructions; num_text caches it for the batch)
      told[tb + 4], told[tb + 5], told[tb + 6], told[tb + 7] = lease_score(deadline), id, false, ty
    end
  end
end
write_leased(writes, dequeued)
-- each node's lease entries (score, id), one ZADD per chunk, gathered in one reused table; and
-- its 'assigned' events, node by node: one event group per node (and type), where queue order
-- alternates nodes and every event opened a group of its own (~45 bytes more each)
local entries, leaseBase = {}, K .. 'nl:'
local leaseKeys = node_texts(LEASE_KEYS, leaseBase)
for _, r in ipairs(order) do
  -- runTy: the type of the run of the node's tasks from entries[runFrom] (ids at even places)
  -- whose events are not written yet; emit_run writes a run with one call (a node's tasks mostly
  -- share one type)
  local b, m, nodeId, runTy, runFrom = th[r], 0, nodes.id[r], nil, 2
  while b do
    local ty = told[b + 7]
    entries[m + 1], entries[m + 2] = told[b + 4], told[b + 5]
    m = m + 2
    if ty ~= runTy then
      if runTy ~= nil then
        emit_run('task', 'assigned', runTy, nodeId, entries, runFrom, m - 2, 2)
      end
      runTy, runFrom = ty, m
    end
    b = told[b + 6]
  end
  emit_run('task', 'assigned', runTy, nodeId, entries, runFrom, m, 2)
  bulk('ZADD', leaseKeys[nodeId] or node_text(LEASE_KEYS, leaseBase, nodeId), entries, 2, m)
end
save_node_rows(nodes)
flush_events()

-- Standby hints, per node in the order given, up to the node's slot count in its list (entries
-- already there count); a hint for a node that is gone, of another incarnation or not alive, or
-- for a task this call just assigned, is not written. A list is pushed at its head (LPUSH: its
-- tail holds the oldest hint, taken first) and expires with its last deadline.
local hintTtl, depth, ns = tonumber(ARGV[ab + 2]) or 0, tonumber(ARGV[ab + 3]) or 1, tonumber(ARGV[ab + 4]) or 0
local hinted = {}
if ns > 0 then
  local lists, listOrder = {}, {}
  local deadline = num_text(now + hintTtl)
  for j = 0, ns - 1 do
    local b = ab + 5 + j * 3
    local id, nodeId, inc = ARGV[b], ARGV[b + 1], tonumber(ARGV[b + 2])
    local r = node_row(nodes, nodeId)
    local f = r and nodes.shape[r]
    hinted[j + 1] = 0
    if r and f.inc == inc and f.st == 'alive' and not written[id] and #(lists[nodeId] or {}) < f.cs * depth then
      local l = lists[nodeId]
      if l == nil then
        l = { at = {} }
        lists[nodeId] = l
        listOrder[#listOrder + 1] = nodeId
      end
      l[#l + 1] = id .. '|' .. num_text(inc) .. '|' .. deadline .. '|' .. ARGV[1]
      l.at[#l] = j + 1
      hinted[j + 1] = 1
    end
  end
  for _, nodeId in ipairs(listOrder) do
    local l, key = lists[nodeId], standby_key(nodeId)
    local len = 0
    for s = 1, #l, BULK_CHUNK do
      len = redis.call('LPUSH', key, unpack(l, s, math.min(#l, s + BULK_CHUNK - 1)))
    end
    -- over the node's slot count: the newest entries (at the head) go again
    local excess = math.min(#l, len - nodes.shape[nodes.row[nodeId]].cs * depth)
    if excess > 0 then
      redis.call('LTRIM', key, excess, -1)
      for x = #l - excess + 1, #l do
        hinted[l.at[x]] = 0
      end
    end
    redis.call('PEXPIRE', key, num_text(hintTtl))
  end
end
out[n * 3 + 1] = hinted
-- a pass that did not read the queues (mustLead) learns here whether dependents wait
if mustLead then
  out[n * 3 + 2] = redis.call('SCARD', K .. 'resolving')
end

-- One message per node, split where the next task would pass the byte limit (less room for the
-- envelope); a task too large for any message is not announced (its reply's third entry is 0).
local channel, room = ARGV[ab] or '', (tonumber(ARGV[ab + 1]) or 0) - 512
-- part: one table for every message: its head in HEAD_PIECES pieces, then each task's five
-- pieces ('{"id":"', id and the three of `told`) with a ',' between tasks. The node id needs no JSON escaping (node ids are validated on
-- the way in: [A-Za-z0-9._:-]) and the incarnation is its stored text (shape.it): the head is
-- joined with the tasks, no string of its own and no number formatted per node.
local part = { '{"pattern":"node.assigned","data":{"node":"', '', '","incarnation":', '', ',"tasks":[' }
local HEAD_PIECES = #part
local channels = node_texts(CHANNELS, channel)
for _, r in ipairs(order) do
  local nodeId = nodes.id[r]
  local nodeChannel = channel ~= '' and (channels[nodeId] or node_text(CHANNELS, channel, nodeId))
  local np, size = HEAD_PIECES, 0
  part[2], part[4] = nodeId, nodes.shape[r].it
  local b = th[r]
  while b do
    local announced, a, p, z, id = told[b], told[b + 1], told[b + 2], told[b + 3], told[b + 5]
    b = told[b + 6]
    local bytes = #id + #a + #p + #z + 8
    if channel == '' or bytes > room then
      out[announced] = 0
    else
      if np > HEAD_PIECES and size + bytes > room then
        part[np + 1] = ']}}'
        redis.call('PUBLISH', nodeChannel, table.concat(part, '', 1, np + 1))
        np, size = HEAD_PIECES, 0
      end
      if np > HEAD_PIECES then
        np = np + 1
        part[np] = ','
      end
      part[np + 1], part[np + 2], part[np + 3], part[np + 4], part[np + 5] = '{"id":"', id, a, p, z
      np = np + 5
      size = size + bytes
    end
  end
  if np > HEAD_PIECES then
    part[np + 1] = ']}}'
    redis.call('PUBLISH', nodeChannel, table.concat(part, '', 1, np + 1))
  end
end
return out
