import {
  LeastLoadedStrategy,
  loadConfig,
  type NodeView,
  type QueueHead,
  type StrategyContext,
} from '@switchyard/core';
import { ClusterSnapshot } from './cluster-snapshot';
import { StandbyBook } from './standby-book';
import { StandbyPlanner } from './standby-planner';
import type { StrategyRegistry } from './strategy-registry';
import { nodeView } from './node-view.fixture';

function view(id: string, slots: number, usedSlots: number, types = ['echo']): NodeView {
  return nodeView(id, { slots, usedSlots, types, incarnation: 7 });
}

function head(n: number, type = 'echo', slots = 1): QueueHead {
  const id = `T${String(n).padStart(25, '0')}`;
  return {
    type,
    id,
    header: { s: 'queued', ty: type, pr: 0, ma: 3, to: 1000, a: 0, l: 0, c: n, sl: slots },
  };
}

const registry = { resolve: () => new LeastLoadedStrategy() } as unknown as StrategyRegistry;
const ctx: StrategyContext = { now: 1000, random: () => 0.5, allNodeIds: [] };

function planner(env: Record<string, string> = {}): { book: StandbyBook; planner: StandbyPlanner } {
  const book = new StandbyBook();
  return { book, planner: new StandbyPlanner(book, registry, loadConfig(env)) };
}

describe('the standby planner', () => {
  it('places heads on full nodes by projected capacity, at most a node’s slot count each', () => {
    const { book, planner: p } = planner({ STANDBY_DEPTH: '1' });
    const snapshot = new ClusterSnapshot([view('a', 2, 2), view('b', 3, 3)], 1);
    const hints = p.plan(
      [1, 2, 3, 4, 5, 6, 7].map((n) => head(n)),
      snapshot,
      1000,
      ctx,
      100,
    );
    const perNode = new Map<string, number>();
    for (const h of hints?.hints ?? []) perNode.set(h.nodeId, (perNode.get(h.nodeId) ?? 0) + 1);
    expect(perNode).toEqual(
      new Map([
        ['a', 2],
        ['b', 3],
      ]),
    );
    expect(hints?.hints.map((h) => h.taskId)).toEqual([1, 2, 3, 4, 5].map((n) => head(n).id));
    expect(hints?.hints.every((h) => h.incarnation === 7)).toBe(true);
    expect(book.size).toBe(5);
    // the held hints leave no projected room: a second plan places nothing
    expect(p.plan([head(8)], snapshot, 1000, ctx, 100)).toBeUndefined();
    expect(p.roomByType(snapshot)).toEqual(new Map());
  });

  it('with STANDBY_DEPTH 2 and no pace (STANDBY_HORIZON_MS 0), places up to twice a node’s slot count', () => {
    const { book, planner: p } = planner({ STANDBY_DEPTH: '2', STANDBY_HORIZON_MS: '0' });
    const snapshot = new ClusterSnapshot([view('a', 2, 2), view('b', 3, 3)], 1);
    expect(p.roomByType(snapshot)).toEqual(new Map([['echo', 10]]));
    const hints = p.plan(
      Array.from({ length: 12 }, (_, i) => head(i + 1)),
      snapshot,
      1000,
      ctx,
      100,
    );
    expect(hints?.depth).toBe(2);
    const perNode = new Map<string, number>();
    for (const h of hints?.hints ?? []) perNode.set(h.nodeId, (perNode.get(h.nodeId) ?? 0) + 1);
    expect(perNode).toEqual(
      new Map([
        ['a', 4],
        ['b', 6],
      ]),
    );
    expect(book.size).toBe(10);
    expect(p.roomByType(snapshot)).toEqual(new Map());
  });

  it('reads ahead as many heads as the nodes have slots not spoken for, within the batch size', () => {
    const { planner: p } = planner({ SCHEDULER_BATCH_SIZE: '4' });
    const snapshot = new ClusterSnapshot([view('a', 2, 2), view('b', 3, 0)], 1);
    expect(p.roomByType(snapshot)).toEqual(new Map([['echo', 4]]));
    p.plan([head(1)], snapshot, 1000, ctx, 10);
    expect(p.roomByType(snapshot)).toEqual(new Map([['echo', 3]]));
  });

  it('makes no hint for a type with TYPE_LIMITS', () => {
    const { planner: p } = planner({
      TYPE_LIMITS: '{"render":{"maxRunning":2}}',
      STANDBY_DEPTH: '1',
    });
    const snapshot = new ClusterSnapshot([view('a', 2, 2, ['echo', 'render'])], 1);
    expect(p.roomByType(snapshot)).toEqual(new Map([['echo', 2]]));
    const hints = p.plan([head(1, 'render'), head(2)], snapshot, 1000, ctx, 10);
    expect(hints?.hints.map((h) => h.taskId)).toEqual([head(2).id]);
    // and none on any later pass either (the planner keeps one budget map for every pass)
    const again = p.plan([head(3, 'render'), head(4)], snapshot, 1000, ctx, 10);
    expect(again?.hints.map((h) => h.taskId)).toEqual([head(4).id]);
  });

  it('books each hint under its own type, whatever the order of the heads', () => {
    const { book, planner: p } = planner();
    const snapshot = new ClusterSnapshot([view('a', 4, 4, ['echo', 'hash'])], 1);
    p.plan([head(1, 'hash'), head(2), head(3, 'hash', 2)], snapshot, 1000, ctx, 10);
    expect(book.heldOf('hash')).toBe(2);
    expect(book.heldOf('echo')).toBe(1);
    expect(book.heldByType().get('hash')).toEqual(new Set([head(1).id, head(3).id]));
    expect(book.heldByNode().get('a')).toEqual({ slots: 4, cpu: 0, memoryMb: 0 });
  });

  it('plans nothing when switched off', () => {
    const { planner: p } = planner({ STANDBY_ASSIGNMENTS: 'false' });
    const snapshot = new ClusterSnapshot([view('a', 2, 2)], 1);
    expect(p.roomByType(snapshot)).toEqual(new Map());
    expect(p.plan([head(1)], snapshot, 1000, ctx, 10)).toBeUndefined();
  });

  it('forgets the hints the commit did not write, and the ones a finish took or dropped', () => {
    const { book, planner: p } = planner();
    const snapshot = new ClusterSnapshot([view('a', 3, 3)], 1);
    const hints = p.plan(
      [1, 2, 3].map((n) => head(n)),
      snapshot,
      1000,
      ctx,
      10,
    );
    if (hints === undefined) throw new Error('no hints');
    p.settle(hints, [true, false, true]);
    expect(p.holds(head(1).id) && !p.holds(head(2).id) && p.holds(head(3).id)).toBe(true);
    p.used([head(1).id]);
    p.assignedNow(head(3).id);
    expect(book.size).toBe(0);
    const again = p.plan([head(4)], snapshot, 1000, ctx, 10);
    if (again === undefined) throw new Error('no hints');
    p.settle(again, undefined);
    expect(book.size).toBe(0);
  });
});

describe('the standby book', () => {
  const hint = (id: string, node: string, expiresAt: number, slots = 1) => ({
    taskId: id,
    nodeId: node,
    incarnation: 1,
    type: 'echo',
    req: { slots, cpu: 10, memoryMb: 5 },
    expiresAt,
  });

  it('expires hints in order and sums what each node holds', () => {
    const book = new StandbyBook();
    book.add(hint('x', 'a', 100, 2));
    book.add(hint('y', 'a', 200));
    book.add(hint('z', 'b', 300));
    expect(book.heldByNode()).toEqual(
      new Map([
        ['a', { slots: 3, cpu: 20, memoryMb: 10 }],
        ['b', { slots: 1, cpu: 10, memoryMb: 5 }],
      ]),
    );
    book.expire(200);
    expect([book.has('x'), book.has('y'), book.has('z')]).toEqual([false, false, true]);
    expect(book.heldOf('echo')).toBe(1);
    book.clear();
    expect(book.size).toBe(0);
    expect(book.heldByType().size).toBe(0);
  });
});

describe('the standby planner, by pace (STANDBY_HORIZON_MS)', () => {
  // node a: 4 slots, all taken; the planner hears its finishes at ctx.now and before
  const full = (): ClusterSnapshot => new ClusterSnapshot([view('a', 4, 4)], 1);
  const heads = (n: number): QueueHead[] => Array.from({ length: n }, (_, i) => head(i + 1));
  function held(env: Record<string, string>, finishes: (p: StandbyPlanner) => void): number {
    const { book, planner: p } = planner({ STANDBY_DEPTH: '4', ...env });
    finishes(p);
    p.plan(heads(40), full(), 1000, ctx, 100);
    return book.size;
  }

  it('gives a node not heard from lately one refill', () => {
    expect(held({}, () => undefined)).toBe(4);
    // heard from, but silent past the reset: the old pace no longer counts
    expect(held({}, (p) => p.finished('a', 5_000, ctx.now - 10_000))).toBe(4);
  });

  it('gives a fast node up to STANDBY_DEPTH refills', () => {
    // 2,000 attempts ended over the last second: ~100 in 50 ms, capped at 4 × 4 slots
    const fast = (p: StandbyPlanner): void => {
      for (let t = 0; t < 1000; t += 10) p.finished('a', 20, ctx.now - 1000 + t);
    };
    expect(held({}, fast)).toBe(16);
    expect(held({ STANDBY_DEPTH: '2' }, fast)).toBe(8);
  });

  it('gives a node as many hints as it ends attempts within the horizon', () => {
    // 100 a second for two seconds: 5 in 50 ms, 20 in 200 ms (capped at 16)
    const steady = (p: StandbyPlanner): void => {
      for (let t = 0; t < 2000; t += 10) p.finished('a', 1, ctx.now - 2000 + t);
    };
    expect(held({}, steady)).toBe(5);
    expect(held({ STANDBY_HORIZON_MS: '200' }, steady)).toBe(16);
  });

  it('gives a slow node fewer hints than its slots, and never none', () => {
    // one wave of 4 long tasks a second: under one attempt in 50 ms
    const slow = (p: StandbyPlanner): void => {
      for (let t = 0; t < 3000; t += 1000) p.finished('a', 4, ctx.now - 2500 + t);
    };
    expect(held({}, slow)).toBe(1);
  });

  it('does not read a first wave of finishes as a burst', () => {
    // 4 attempts ended just now, the first heard: judged over 100 ms, ~2 in 50 ms
    expect(held({}, (p) => p.finished('a', 4, ctx.now))).toBe(2);
  });

  it('with STANDBY_HORIZON_MS 0 gives every node STANDBY_DEPTH refills, whatever its pace', () => {
    const slow = (p: StandbyPlanner): void => p.finished('a', 1, ctx.now - 500);
    expect(held({ STANDBY_HORIZON_MS: '0' }, slow)).toBe(16);
  });

  it('keeps a huge capacity a positive whole number when it scales it', () => {
    // 750 million millicores over 4 slots, 16 slots' worth of hints: 3 × 10^9, past 2^31
    const { book, planner: p } = planner({ STANDBY_DEPTH: '4', STANDBY_HORIZON_MS: '0' });
    const huge = new ClusterSnapshot(
      [{ ...view('a', 4, 4), capacity: { slots: 4, cpu: 750_000_000, memoryMb: 4096 } }],
      1,
    );
    const hungry = heads(4).map((h) => ({ ...h, header: { ...h.header, cpu: 1000 } }));
    p.plan(hungry, huge, 1000, ctx, 100);
    expect(book.size).toBe(4);
  });

  it('keeps cpu and memory in proportion to the slots it gives', () => {
    // 2 of the node's 4 slots: 2,000 of its 4,000 millicores, room for one task of 1,500
    const { book, planner: p } = planner({ STANDBY_DEPTH: '4' });
    p.finished('a', 4, ctx.now);
    const hungry = heads(4).map((h) => ({ ...h, header: { ...h.header, cpu: 1500 } }));
    p.plan(hungry, full(), 1000, ctx, 100);
    expect(book.size).toBe(1);
  });
});
