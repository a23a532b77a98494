// The scheduling tools' cluster (assign-cost.js, assign-instructions.js): `count` registered
// nodes with no processes behind them, `total` queued no-op tasks, and this tool as the leader;
// one such node for the instruction and cost tools (registerNoopNode); and the finish reports a
// worker would send for them (phase-instructions.js, redis-instructions.js).

/**
 * Registers node `id` for type noop with `slots` and `room` millicores and MB (no process behind
 * it); returns its incarnation.
 */
function registerNoopNode(nodes, id, slots, room = 1e9) {
  return nodes.register({
    id,
    types: ['noop'],
    capacity: { slots, cpu: room, memoryMb: room },
    labels: {},
    hostname: 'bench',
    pid: 0,
  });
}

/** Registers fake-0 .. fake-<count-1> (type noop, `slots` each); returns their ids and incarnations. */
async function registerFakeNodes(nodes, count, slots) {
  const ids = [];
  for (let i = 0; i < count; i++) {
    const id = `fake-${i}`;
    ids.push({ id, inc: await registerNoopNode(nodes, id, slots, 1e6) });
  }
  return ids;
}

/** Takes the leader lease and queues `total` no-op tasks (256-byte payload) in batches of 1,000. */
async function queueNoops(core, { redis, config, keys, tasks }, total) {
  await redis.set(keys.leader, '1:bench');
  const payload = { pad: 'x'.repeat(256 - 10) };
  for (let sent = 0; sent < total; sent += 1000) {
    const now = Date.now();
    const specs = Array.from({ length: 1000 }, () =>
      core.toTaskSpec({ type: 'noop', payload }, config, now),
    );
    await tasks.submit(specs, now);
  }
}

/** A succeeded report (result null) for each `{ taskId, lease }` held, as a worker writes it. */
function succeededReports(held, now, retry) {
  return held.map((t) => ({
    taskId: t.taskId,
    lease: t.lease,
    startedAt: now,
    resultJson: 'null',
    retry,
    random: 0.5,
  }));
}

module.exports = { queueNoops, registerFakeNodes, registerNoopNode, succeededReports };
