// `npm run bench:strategies` (ts-node over the built @switchyard/core): one synthetic
// heterogeneous workload replayed through every built-in strategy's real code, then
// power-of-two against random placement (n tasks into n nodes). BENCH_TASKS sets the size.
import { BUILT_IN_STRATEGIES, Strategy, type AssignmentStrategy } from '@switchyard/core';
import { powerOfTwoMaxLoad, randomMaxLoad } from './balls-into-bins';
import { simulate } from './simulate';
import { lowerBound, makeNodes, makeTasks } from './workload';

const TASKS = Number(process.env.BENCH_TASKS ?? 2000);
const SEEDS = 5;

function strategyName(cls: object): string {
  const meta = Reflect.getMetadata(Strategy.META.KEY, cls) as { name: string } | undefined;
  return meta?.name ?? (cls as { name: string }).name;
}

function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

function main(): void {
  const nodes = makeNodes();
  const tasks = makeTasks(TASKS, nodes);
  const bound = lowerBound(tasks, nodes);
  const slots = nodes.reduce((s, n) => s + n.capacity.slots, 0);
  console.log(
    `workload: ${tasks.length} tasks (durations 50 ms–4 s, 250–4000 millicores, 256 MB–16 GB, 1–2 slots), ` +
      `${nodes.length} nodes (${slots} slots), arrivals over ${(tasks[tasks.length - 1].arrival / 1000).toFixed(1)} s; ` +
      `lower bound (total work / total capacity, binding resource) ${(bound / 1000).toFixed(2)} s\n`,
  );
  console.log(
    row([
      'strategy',
      'makespan (s)',
      'makespan / bound',
      'mean wait (ms)',
      'p99 wait (ms)',
      'max node load',
      'mean node load',
      'max / mean',
    ]),
  );
  console.log(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const cls of BUILT_IN_STRATEGIES) {
    const strategy = new (cls as new () => AssignmentStrategy)();
    const r = simulate(strategy, tasks, nodes);
    const max = Math.max(...r.loads);
    const mean = r.loads.reduce((s, l) => s + l, 0) / r.loads.length;
    console.log(
      row([
        strategyName(cls),
        (r.makespan / 1000).toFixed(2),
        (r.makespan / bound).toFixed(3),
        r.meanWait.toFixed(0),
        r.p99Wait.toFixed(0),
        max.toFixed(3),
        mean.toFixed(3),
        (max / mean).toFixed(2),
      ]),
    );
  }

  console.log(`\nn tasks into n nodes, most tasks on one node (mean of ${SEEDS} seeds):\n`);
  console.log(row(['n', 'random', 'ln n / ln ln n', 'power-of-two', 'ln ln n / ln 2']));
  console.log(row(['---:', '---:', '---:', '---:', '---:']));
  for (const n of [1_000, 10_000, 100_000, 1_000_000]) {
    let rnd = 0;
    let p2 = 0;
    for (let s = 1; s <= SEEDS; s++) {
      rnd += randomMaxLoad(n, s);
      p2 += powerOfTwoMaxLoad(n, s);
    }
    const ln = Math.log(n);
    console.log(
      row([
        n.toLocaleString('en'),
        (rnd / SEEDS).toFixed(1),
        (ln / Math.log(ln)).toFixed(2),
        (p2 / SEEDS).toFixed(1),
        (Math.log(ln) / Math.LN2).toFixed(2),
      ]),
    );
  }
}

main();
