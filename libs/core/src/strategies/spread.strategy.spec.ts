import type { AssignmentStrategy } from './assignment-strategy';
import { SpreadStrategy } from './spread.strategy';
import { fixedContext, nodeWith as node, taskNeeding as task } from './testing/strategy-fixtures';

const ctx = fixedContext();

describe('spread', () => {
  const strategy: AssignmentStrategy = new SpreadStrategy();

  it.each([
    [
      'the emptier node',
      task(1, 0, 0),
      [node('half', [4, 1000, 1024], [2, 0, 0]), node('empty', [4, 1000, 1024], [0, 0, 0])],
      'empty',
    ],
    [
      'the node with most cpu free when slots tie',
      task(1, 500, 0),
      [
        node('busy-cpu', [4, 4000, 1024], [1, 3000, 0]),
        node('idle-cpu', [4, 4000, 1024], [1, 0, 0]),
      ],
      'idle-cpu',
    ],
    [
      'a node with free memory over one with free slots but little memory',
      task(1, 0, 1024),
      [node('slots', [16, 1000, 2048], [0, 0, 900]), node('memory', [8, 1000, 16384], [4, 0, 0])],
      'memory',
    ],
    [
      'by share, so a large half-used node beats a small empty one',
      task(1, 0, 0),
      [node('small', [2, 1000, 1024], [0, 0, 0]), node('large', [64, 1000, 1024], [8, 0, 0])],
      'large',
    ],
    [
      'the lower id when free capacity ties',
      task(1, 0, 0),
      [node('b', [4, 1000, 1024], [0, 0, 0]), node('a', [4, 1000, 1024], [0, 0, 0])],
      'a',
    ],
  ])('picks %s', (_what, t, candidates, expected) => {
    expect(strategy.select(t, candidates, ctx)?.id).toBe(expected);
  });

  it('leaves the task queued when there is no candidate', () => {
    expect(strategy.select(task(1, 0, 0), [], ctx)).toBeNull();
  });
});
