import type { NodeCandidate, SchedulableTask, StrategyContext } from './assignment-strategy';
import { AffinityStrategy } from './affinity.strategy';
import { HashRing } from './hash-ring';

const task = (affinityKey?: string, id = 't1'): SchedulableTask => ({
  id,
  type: 'echo',
  priority: 0,
  requirements: { slots: 1, cpu: 0, memoryMb: 0, labels: {} },
  ...(affinityKey !== undefined && { affinityKey }),
  queuedAt: 0,
});
const node = (id: string): NodeCandidate => ({
  id,
  incarnation: 1,
  labels: {},
  capacity: { slots: 4, cpu: 1000, memoryMb: 1024 },
  used: { slots: 0, cpu: 0, memoryMb: 0 },
});
const ctxOf = (ids: string[]): StrategyContext => ({ now: 0, random: () => 0.5, allNodeIds: ids });
const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `node-${i}`);
const keys = Array.from({ length: 10_000 }, (_, i) => `customer-${i}`);

describe('affinity', () => {
  it('sends the same key to the same node every time', () => {
    const strategy = new AffinityStrategy();
    const all = ids(8);
    const first = strategy.select(task('k-42'), all.map(node), ctxOf(all))?.id;
    for (let i = 0; i < 20; i++) {
      expect(strategy.select(task('k-42', `t${i}`), all.map(node), ctxOf(all))?.id).toBe(first);
    }
  });

  it('falls back to the next node on the ring when the owner has no room', () => {
    const strategy = new AffinityStrategy();
    const all = ids(8);
    const ring = new HashRing(all);
    const owner = ring.owner('k-7') as string;
    const successor = ring.find('k-7', (id) => id !== owner);
    const withoutOwner = all.filter((id) => id !== owner).map(node);
    expect(strategy.select(task('k-7'), withoutOwner, ctxOf(all))?.id).toBe(successor);
  });

  it.each([
    ['a node joins', 10, 11],
    ['a node leaves', 10, 9],
    ['a node joins a large cluster', 100, 101],
  ])('moves only about 1/N of the keys when %s', (_what, before, after) => {
    const a = new HashRing(ids(before));
    const b = new HashRing(ids(after));
    const moved = keys.filter((k) => a.owner(k) !== b.owner(k)).length / keys.length;
    const expected = 1 / Math.max(before, after);
    expect(moved).toBeGreaterThan(expected * 0.4);
    expect(moved).toBeLessThan(expected * 2);
  });

  it('moves keys only to or from the node that changed', () => {
    const a = new HashRing(ids(10));
    const b = new HashRing(ids(11));
    for (const k of keys) {
      if (a.owner(k) !== b.owner(k)) expect(b.owner(k)).toBe('node-10');
    }
  });

  it('spreads keys over the nodes (no node owns more than twice its share)', () => {
    const ring = new HashRing(ids(10));
    const counts = new Map<string, number>();
    for (const k of keys)
      counts.set(ring.owner(k) as string, (counts.get(ring.owner(k) as string) ?? 0) + 1);
    expect(counts.size).toBe(10);
    for (const c of counts.values()) expect(c).toBeLessThan((keys.length / 10) * 2);
  });

  it('places a task without a key by its id', () => {
    const strategy = new AffinityStrategy();
    const all = ids(8);
    const ring = new HashRing(all);
    expect(strategy.select(task(undefined, 'task-xyz'), all.map(node), ctxOf(all))?.id).toBe(
      ring.owner('task-xyz'),
    );
  });

  it('leaves the task queued when there is no candidate', () => {
    expect(new AffinityStrategy().select(task('k'), [], ctxOf(ids(3)))).toBeNull();
  });
});
