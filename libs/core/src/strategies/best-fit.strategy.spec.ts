import type { AssignmentStrategy } from './assignment-strategy';
import { BestFitStrategy } from './best-fit.strategy';
import { fixedContext, nodeWith as node, taskNeeding as task } from './testing/strategy-fixtures';

const ctx = fixedContext();

describe('best-fit', () => {
  const strategy: AssignmentStrategy = new BestFitStrategy();

  it.each([
    [
      'the fuller node (slots only)',
      task(1, 0, 0),
      [node('empty', [4, 1000, 1024], [0, 0, 0]), node('half', [4, 1000, 1024], [2, 0, 0])],
      'half',
    ],
    [
      'the node the task fills exactly',
      task(2, 2000, 2048),
      [node('big', [8, 8000, 8192], [0, 0, 0]), node('exact', [4, 4000, 4096], [2, 2000, 2048])],
      'exact',
    ],
    [
      'by the resources the task asks for (memory)',
      task(1, 0, 3000),
      [
        node('lots-of-mem', [4, 1000, 16384], [1, 0, 0]),
        node('tight-mem', [4, 1000, 4096], [1, 0, 0]),
      ],
      'tight-mem',
    ],
    [
      'the small node, keeping the large one whole for large tasks',
      task(1, 500, 512),
      [node('large', [32, 32000, 65536], [0, 0, 0]), node('small', [2, 1000, 1024], [0, 0, 0])],
      'small',
    ],
    [
      'the lower id when the fit ties',
      task(1, 0, 0),
      [node('b', [4, 1000, 1024], [1, 0, 0]), node('a', [4, 1000, 1024], [1, 0, 0])],
      'a',
    ],
  ])('picks %s', (_what, t, candidates, expected) => {
    expect(strategy.select(t, candidates, ctx)?.id).toBe(expected);
  });

  it('leaves the task queued when there is no candidate', () => {
    expect(strategy.select(task(1, 0, 0), [], ctx)).toBeNull();
  });
});
