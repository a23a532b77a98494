import type { NodeCandidate, SchedulableTask, StrategyContext } from './assignment-strategy';
import { LeastLoadedStrategy } from './least-loaded.strategy';

const task: SchedulableTask = {
  id: 't1',
  type: 'echo',
  priority: 0,
  requirements: { slots: 1, cpu: 0, memoryMb: 0, labels: {} },
  queuedAt: 0,
};
const ctx: StrategyContext = { now: 0, random: () => 0.5, allNodeIds: [] };

function node(id: string, usedSlots: number, slots: number): NodeCandidate {
  return {
    id,
    incarnation: 1,
    labels: {},
    capacity: { slots, cpu: 1000, memoryMb: 1024 },
    used: { slots: usedSlots, cpu: 0, memoryMb: 0 },
  };
}

describe('least-loaded', () => {
  const strategy = new LeastLoadedStrategy();

  it.each([
    ['the emptier of two equal nodes', [node('a', 3, 4), node('b', 1, 4)], 'b'],
    ['by share of slots, not absolute count', [node('a', 2, 4), node('b', 3, 16)], 'b'],
    ['the larger node when shares tie', [node('a', 1, 2), node('b', 4, 8)], 'b'],
    ['the first when all tie', [node('a', 0, 4), node('b', 0, 4)], 'a'],
    ['the only candidate', [node('a', 3, 4)], 'a'],
  ])('picks %s', (_what, candidates, expected) => {
    expect(strategy.select(task, candidates, ctx)?.id).toBe(expected);
  });

  it('leaves the task queued when there is no candidate', () => {
    expect(strategy.select(task, [], ctx)).toBeNull();
  });
});
