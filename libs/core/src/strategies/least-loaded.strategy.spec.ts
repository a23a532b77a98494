import { LeastLoadedStrategy } from './least-loaded.strategy';
import { fixedContext, nodeWithSlots as node, taskNeeding } from './testing/strategy-fixtures';

const task = taskNeeding();
const ctx = fixedContext();

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
