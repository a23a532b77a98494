#!/usr/bin/env node
// Dispatcher CPU per scheduling decision, in process: a ClusterSnapshot of N nodes, passes of
// `batch` queue heads through planAssignments with the least-loaded strategy, as case 6 runs
// them, without Redis or pub/sub. Reports the best and median µs per decision over repetitions
// (CPU time of this process), so it is repeatable on a busy machine.
//   node bench/tools/plan-cost.js [--root .] [--nodes 10,100,1000] [--batch 2000] [--passes 25]
const path = require('node:path');

const { arg } = require('./tool-args');
const root = path.resolve(arg('root', '.'));
const core = require(path.join(root, 'libs/core/dist'));
// the dispatcher library's own output (scripts/build.js builds it under libs/dispatcher/dist)
const scheduling = path.join(root, 'libs/dispatcher/dist/scheduling');
const { ClusterSnapshot } = require(path.join(scheduling, 'cluster-snapshot'));
const { planAssignments } = require(path.join(scheduling, 'assignment-planner'));

const BATCH = Number(arg('batch', '2000'));
const PASSES = Number(arg('passes', '25'));

function heads(n, from) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const id = String(from + i).padStart(26, '0');
    out.push({
      type: 'noop',
      id,
      header: {
        s: 'queued',
        ty: 'noop',
        pr: 0,
        ma: 3,
        to: 30000,
        a: 0,
        l: 0,
        c: 1,
        qa: 1 + from + i,
        sl: 1,
      },
    });
  }
  return out;
}

function run(nodes) {
  const slots = Math.ceil((BATCH * PASSES) / nodes);
  const views = Array.from({ length: nodes }, (_, i) => ({
    id: `fake-${i}`,
    incarnation: 1,
    status: 'alive',
    types: ['noop'],
    labels: {},
    capacity: { slots, cpu: 1e6, memoryMb: 1e6 },
    used: { slots: 0, cpu: 0, memoryMb: 0 },
  }));
  const strategy = new core.LeastLoadedStrategy();
  const registry = { resolve: () => strategy };
  const perPass = [];
  // one snapshot for the run, as between the dispatcher's 1 s resyncs
  const snapshot = new ClusterSnapshot(views, 1);
  for (let p = 0; p < PASSES; p++) {
    const h = heads(BATCH, p * BATCH);
    const ctx = { now: Date.now(), random: Math.random, allNodeIds: snapshot.allNodeIds };
    const t0 = process.cpuUsage();
    const plan = planAssignments(h, snapshot, registry, 1000, ctx, BATCH);
    const t = process.cpuUsage(t0);
    if (plan.decisions.length !== BATCH) throw new Error(`only ${plan.decisions.length} decisions`);
    perPass.push((t.user + t.system) / BATCH);
  }
  perPass.sort((a, b) => a - b);
  return { best: perPass[0], median: perPass[Math.floor(perPass.length / 2)] };
}

for (const n of arg('nodes', '10,100,1000').split(',').map(Number)) {
  const r = run(n);
  console.log(
    `${String(n).padStart(5)} nodes: ${r.best.toFixed(2)} µs/decision best, ${r.median.toFixed(2)} median`,
  );
}
