import type {
  AssignmentStrategy,
  NodeCandidate,
  SchedulableTask,
  StrategyContext,
} from './assignment-strategy';
import { RoundRobinStrategy } from './round-robin.strategy';

const ctx: StrategyContext = { now: 0, random: () => 0.5, allNodeIds: [] };
const task = (type = 'echo'): SchedulableTask => ({
  id: 't',
  type,
  priority: 0,
  requirements: { slots: 1, cpu: 0, memoryMb: 0, labels: {} },
  queuedAt: 0,
});
const node = (id: string): NodeCandidate => ({
  id,
  incarnation: 1,
  labels: {},
  capacity: { slots: 4, cpu: 1000, memoryMb: 1024 },
  used: { slots: 0, cpu: 0, memoryMb: 0 },
});

describe('round-robin', () => {
  it.each([
    [
      'cycles through the candidates by id',
      [
        ['a', 'b', 'c'],
        ['a', 'b', 'c'],
        ['a', 'b', 'c'],
        ['a', 'b', 'c'],
      ],
      'abca',
    ],
    [
      'ignores the order of the candidate list',
      [
        ['c', 'a', 'b'],
        ['b', 'c', 'a'],
        ['a', 'c', 'b'],
      ],
      'abc',
    ],
    [
      'skips a node that has no room this time',
      [
        ['a', 'b', 'c'],
        ['a', 'c'],
        ['a', 'b', 'c'],
      ],
      'aca',
    ],
    [
      'continues after a node that left',
      [
        ['a', 'b', 'c'],
        ['a', 'c'],
        ['a', 'b'],
      ],
      'aca',
    ],
    [
      'picks up a node that joined in its turn',
      [
        ['a', 'c'],
        ['a', 'b', 'c'],
        ['a', 'b', 'c'],
      ],
      'abc',
    ],
  ])('%s', (_what, rounds, expected) => {
    const strategy: AssignmentStrategy = new RoundRobinStrategy();
    const picks = rounds.map((ids) => strategy.select(task(), ids.map(node), ctx)?.id).join('');
    expect(picks).toBe(expected);
  });

  it('keeps one rotation per task type', () => {
    const strategy: AssignmentStrategy = new RoundRobinStrategy();
    const nodes = ['a', 'b'].map(node);
    const picks = ['x', 'x', 'y', 'x', 'y'].map(
      (type) => strategy.select(task(type), nodes, ctx)?.id,
    );
    expect(picks).toEqual(['a', 'b', 'a', 'a', 'b']);
  });

  it('leaves the task queued when there is no candidate', () => {
    expect((new RoundRobinStrategy() as AssignmentStrategy).select(task(), [], ctx)).toBeNull();
  });
});
