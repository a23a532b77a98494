import type { NodeCandidate, SchedulableTask, StrategyContext } from './assignment-strategy';
import { PowerOfTwoStrategy } from './power-of-two.strategy';

const task: SchedulableTask = {
  id: 't',
  type: 'echo',
  priority: 0,
  requirements: { slots: 1, cpu: 0, memoryMb: 0, labels: {} },
  queuedAt: 0,
};
const node = (id: string, used: number, slots = 8): NodeCandidate => ({
  id,
  incarnation: 1,
  labels: {},
  capacity: { slots, cpu: 1000, memoryMb: 1024 },
  used: { slots: used, cpu: 0, memoryMb: 0 },
});
/** A context whose random() returns the given values in turn. */
const draws = (...values: number[]): StrategyContext => {
  let i = 0;
  return { now: 0, random: () => values[i++ % values.length], allNodeIds: [] };
};

describe('power-of-two', () => {
  const strategy = new PowerOfTwoStrategy();
  const nodes = [node('a', 6), node('b', 1), node('c', 4), node('d', 2)];

  it.each([
    // first draw picks index floor(r * 4); the second picks among the other three
    ['the less loaded of the two drawn (a vs b)', [0.0, 0.0], 'b'],
    ['the less loaded of the two drawn (c vs d)', [0.5, 0.9], 'd'],
    ['the first drawn when it is the less loaded', [0.3, 0.5], 'b'],
    ['never the same node twice (both draws on index 2)', [0.5, 0.7], 'd'],
    ['by share of slots, not count', [0.0, 0.0], 'b'],
  ])('picks %s', (_what, values, expected) => {
    expect(strategy.select(task, nodes, draws(...values))?.id).toBe(expected);
  });

  it('weighs load by capacity', () => {
    const mixed = [node('small', 2, 4), node('big', 6, 32)];
    expect(strategy.select(task, mixed, draws(0, 0))?.id).toBe('big');
  });

  it('returns the only candidate without drawing', () => {
    const random = jest.fn(() => 0.5);
    expect(strategy.select(task, [node('a', 7)], { now: 0, random, allNodeIds: [] })?.id).toBe('a');
    expect(random).not.toHaveBeenCalled();
  });

  it('leaves the task queued when there is no candidate', () => {
    expect(strategy.select(task, [], draws(0.5))).toBeNull();
  });

  it('draws two distinct candidates for every random value', () => {
    const seen = new Set<string>();
    const two = [node('x', 3), node('y', 3)];
    for (const r of [0, 0.25, 0.5, 0.75, 0.999999]) {
      // equal loads: the first drawn wins, so both must be reachable
      seen.add(strategy.select(task, two, draws(r, r))?.id as string);
    }
    expect([...seen].sort()).toEqual(['x', 'y']);
  });
});
