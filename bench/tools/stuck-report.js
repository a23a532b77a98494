// What to look at when a wait times out: where the tasks that did not end stand in Redis, the
// nodes' state rows beside the leases and standby hints they hold, the queues, the leader lease,
// and whether each process still runs (with its last log lines). Read before Redis is stopped.

// per node: "id,status,slots,used slots,leases,standby hints,last completion" (one atomic read, so a state row and
// its lease set are seen at the same instant); last: the queued tasks of all types
const READ_NODES = `
local base, out, queued = KEYS[1], {}, 0
local rows = redis.call('HGETALL', base .. 'ns')
for i = 1, #rows, 2 do
  local id = rows[i]
  local _, st, cs, _, _, us, _, _, lc = string.match(rows[i + 1], '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
  out[#out + 1] = table.concat({ id, st, cs, us, redis.call('ZCARD', base .. 'nl:' .. id),
    redis.call('LLEN', base .. 'sb:' .. id), lc }, ',')
end
for _, ty in ipairs(redis.call('SMEMBERS', base .. 'types')) do
  queued = queued + redis.call('ZCARD', base .. 'q:' .. ty)
end
out[#out + 1] = tostring(queued)
return out`;

/** The nodes as rows (see READ_NODES) and the number of queued tasks. */
async function readNodes(redis, base) {
  const reply = await redis.eval(READ_NODES, 1, base);
  return { rows: reply.slice(0, -1), queued: Number(reply[reply.length - 1]) };
}

const STATE = { b: 'blocked', d: 'delayed', q: 'queued', a: 'assigned', r: 'running' };
const SHOWN = 10;

/**
 * Lines describing `ids` (task ids) not yet terminal, under key base `base` ("{prefix}:"), and
 * the processes (BenchProcess: name, pid, logs).
 */
async function stuckReport(redis, base, ids, processes) {
  const lines = [];
  const open = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const raws = await redis.mget(chunk.map((id) => `${base}t:${id}`));
    raws.forEach((raw, j) => {
      if (raw === null) open.push([chunk[j], 'gone']);
      else if (STATE[raw[0]] !== undefined) open.push([chunk[j], raw.slice(0, raw.indexOf('\n'))]);
    });
  }
  const byState = {};
  for (const [, head] of open) {
    const state = STATE[head[0]] ?? head;
    byState[state] = (byState[state] ?? 0) + 1;
  }
  lines.push(`${open.length} of ${ids.length} not terminal: ${JSON.stringify(byState)}`);
  for (const [id, head] of open.slice(0, SHOWN)) lines.push(`task ${id}: ${head}`);
  const nodes = await readNodes(redis, base);
  for (const row of nodes.rows)
    lines.push(`node ${row} (id,status,slots,used,leases,standby hints,last completion)`);
  lines.push(`queued ${nodes.queued}`);
  lines.push(
    `delayed ${await redis.zcard(`${base}delayed`)}, leader ${await redis.get(`${base}leader`)}`,
  );
  for (const p of processes) {
    let alive = true;
    try {
      process.kill(p.pid, 0);
    } catch {
      alive = false;
    }
    lines.push(`${p.name} (pid ${p.pid}) ${alive ? 'running' : 'GONE'}; last log lines:`);
    for (const l of p.logs.slice(-15)) lines.push(`  ${l.slice(0, 300)}`);
  }
  return lines;
}

module.exports = { stuckReport, readNodes };
