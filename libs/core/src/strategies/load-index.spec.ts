import type { NodeCandidate } from './assignment-strategy';
import { LeastLoadedStrategy } from './least-loaded.strategy';
import { LoadIndex } from './load-index';
import { nodeWithSlots as node } from './testing/strategy-fixtures';

const one = { slots: 1, cpu: 0, memoryMb: 0, labels: {} };

/** The answer of a plain scan: smallest share, then most free slots, then list order. */
function scanBest(list: readonly NodeCandidate[]): string | null {
  let best: NodeCandidate | null = null;
  for (const n of list) {
    if (best === null) {
      best = n;
      continue;
    }
    const load = n.used.slots / n.capacity.slots;
    const bestLoad = best.used.slots / best.capacity.slots;
    const free = n.capacity.slots - n.used.slots;
    const bestFree = best.capacity.slots - best.used.slots;
    if (load < bestLoad || (load === bestLoad && free > bestFree)) best = n;
  }
  return best?.id ?? null;
}

/** mulberry32: the same sequence on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A tick as ClusterSnapshot runs it: pick, reserve one slot, drop the node from the list once full. */
function runTick(list: NodeCandidate[], decisions: number, pick: () => NodeCandidate | null): void {
  for (let d = 0; d < decisions; d++) {
    const expected = scanBest(list);
    const chosen = pick();
    expect(chosen?.id ?? null).toBe(expected);
    if (chosen === null) return;
    (chosen.used as { slots: number }).slots += 1;
    if (chosen.used.slots + 1 > chosen.capacity.slots) list.splice(list.indexOf(chosen), 1);
  }
}

describe('the least-loaded index', () => {
  it.each([1, 2, 3, 4, 5])('picks what a scan picks, decision after decision (seed %d)', (seed) => {
    const random = prng(seed);
    const list = Array.from({ length: 200 }, (_, i) => {
      const slots = 1 + Math.floor(random() * 8);
      return node(`n${i}`, Math.floor(random() * slots), slots);
    });
    const index = new LoadIndex(list);
    runTick(list, 700, () => index.best(one));
  });

  it('answers null once every node is full', () => {
    const list = [node('a', 1, 2), node('b', 0, 1)];
    const index = new LoadIndex(list);
    runTick(list, 3, () => index.best(one));
    expect(index.best(one)).toBeNull();
  });

  it('keeps list order among equal nodes', () => {
    const list = [node('a', 0, 4), node('b', 0, 4), node('c', 0, 4)];
    expect(new LoadIndex(list).best(one)?.id).toBe('a');
  });

  it('is rebuilt by the strategy when a reused list gains nodes', () => {
    const strategy = new LeastLoadedStrategy();
    const task = { id: 't', type: 'x', priority: 0, requirements: one, queuedAt: 0 };
    const ctx = { now: 0, random: () => 0.5, allNodeIds: [] };
    const list = Array.from({ length: 40 }, (_, i) => node(`n${i}`, 2, 4));
    expect(strategy.select(task, list, ctx)?.id).toBe('n0');
    list.push(node('idle', 0, 4));
    expect(strategy.select(task, list, ctx)?.id).toBe('idle');
  });

  it('gives the strategy the same answers as its scan on long lists', () => {
    const strategy = new LeastLoadedStrategy();
    const task = { id: 't', type: 'x', priority: 0, requirements: one, queuedAt: 0 };
    const ctx = { now: 0, random: () => 0.5, allNodeIds: [] };
    const random = prng(42);
    const list = Array.from({ length: 100 }, (_, i) =>
      node(`n${i}`, 0, 1 + Math.floor(random() * 6)),
    );
    runTick(list, 400, () => strategy.select(task, list, ctx));
  });
});
