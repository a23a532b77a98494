#!/usr/bin/env node
// Dispatcher CPU per scheduling pass with STANDBY_ASSIGNMENTS, in process, as case 1 runs them:
// 2 nodes × 16 slots with 7 free each, 26 queue heads (14 decided for now, 12 placed as standby
// hints by StandbyPlanner on the projected capacity), the hints then written and taken.
// No Redis or pub/sub: only the pass's planning and book keeping. Reports the best and median
// µs per pass over repetitions (CPU time of this process), and a checksum of every decision
// and hint (node and task), so two builds can be compared for both cost and sameness:
//   node bench/tools/standby-plan-cost.js [--root .] [--passes 20000] [--reps 7]
const path = require('node:path');

const { arg } = require('./tool-args');
const root = path.resolve(arg('root', '.'));
const core = require(path.join(root, 'libs/core/dist'));
const scheduling = path.join(root, 'libs/dispatcher/dist/scheduling');
const { ClusterSnapshot } = require(path.join(scheduling, 'cluster-snapshot'));
const { planAssignments, seededRandom } = require(path.join(scheduling, 'assignment-planner'));
const { StandbyBook } = require(path.join(scheduling, 'standby-book'));
const { StandbyPlanner } = require(path.join(scheduling, 'standby-planner'));

const PASSES = Number(arg('passes', '20000'));
const REPS = Number(arg('reps', '7'));
const SLOTS = 16;
const USED = 9;
const HEADS = 26;

const strategy = new core.LeastLoadedStrategy();
const registry = { resolve: () => strategy };
const config = core.loadConfig({});
const view = (id) => ({
  id,
  incarnation: 1,
  status: 'alive',
  types: ['noop'],
  labels: {},
  capacity: { slots: SLOTS, cpu: 0, memoryMb: 0 },
  used: { slots: USED, cpu: 0, memoryMb: 0 },
});

let seq = 0;
function head() {
  const n = seq++;
  const header = { s: 'queued', ty: 'noop', pr: 0, ma: 3, to: 30000, a: 0, l: 0, c: n, sl: 1 };
  return { type: 'noop', id: String(n).padStart(26, '0'), header };
}

const book = new StandbyBook();
const standby = new StandbyPlanner(book, registry, config);
const snapshot = new ClusterSnapshot([view('a'), view('b')], 1);
const NONE = { slots: 0, cpu: 0, memoryMb: 0 };

/** One pass; returns a checksum of its decisions and hints. */
function pass() {
  // the finishes since the last pass gave back what it took (clears the candidate lists too)
  for (const n of snapshot.nodes.values()) n.used.slots = USED;
  snapshot.reserve('a', NONE, -1);
  const heads = Array.from({ length: HEADS }, head);
  const ctx = { now: Date.now(), random: seededRandom(seq), allNodeIds: snapshot.allNodeIds };
  standby.expire(ctx.now);
  standby.roomByType(snapshot);
  const plan = planAssignments(heads, snapshot, registry, 1000, ctx, config.batchSize, new Map());
  const ahead = heads.filter((h) => !plan.reserved.has(h.id) && !standby.holds(h.id));
  const limit = config.batchSize - plan.decisions.length;
  const hints = standby.plan(ahead, snapshot, 1000, ctx, limit);
  let sum = plan.decisions.length;
  const mix = (d, k) => (sum = (sum * k + d.nodeId.charCodeAt(0) + Number(d.taskId)) >>> 0);
  for (const d of plan.decisions) mix(d, 7);
  if (hints !== undefined) {
    for (const d of hints.hints) mix(d, 13);
    standby.settle(
      hints,
      hints.hints.map(() => true),
    );
    standby.used(hints.hints.map((h) => h.taskId));
  }
  return sum;
}

let check = 0;
for (let i = 0; i < PASSES; i++) check = (check * 31 + pass()) >>> 0;
const perPass = [];
for (let r = 0; r < REPS; r++) {
  const t0 = process.cpuUsage();
  for (let i = 0; i < PASSES; i++) pass();
  const t = process.cpuUsage(t0);
  perPass.push((t.user + t.system) / PASSES);
}
perPass.sort((a, b) => a - b);
console.log(
  `${perPass[0].toFixed(2)} µs/pass best, ${perPass[Math.floor(REPS / 2)].toFixed(2)} median ` +
    `(checksum of the first ${PASSES} passes: ${check})`,
);
