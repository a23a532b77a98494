import { couldEverFit, hasRoom, matchesSelector } from './eligibility';
import type { LabelSelector } from '../task/task.model';

const labels = { zone: 'eu', gpu: 'a100', tier: 'on-demand' };

describe('the label selector matcher', () => {
  it.each<[string, LabelSelector, boolean]>([
    ['an empty selector', {}, true],
    ['an exact match', { zone: 'eu' }, true],
    ['an exact mismatch', { zone: 'us' }, false],
    ['an exact match on a label the node lacks', { rack: 'r1' }, false],
    ['every exact requirement at once', { zone: 'eu', gpu: 'a100' }, true],
    ['one of several requirements failing', { zone: 'eu', gpu: 'h100' }, false],
    ['In with the value listed', { gpu: { in: ['h100', 'a100'] } }, true],
    ['In without the value listed', { gpu: { in: ['h100', 't4'] } }, false],
    ['In on a label the node lacks', { rack: { in: ['r1'] } }, false],
    ['NotIn with the value listed', { tier: { notIn: ['spot', 'on-demand'] } }, false],
    ['NotIn without the value listed', { tier: { notIn: ['spot'] } }, true],
    ['NotIn on a label the node lacks', { rack: { notIn: ['r1'] } }, true],
    [
      'exact, In and NotIn together',
      { zone: 'eu', gpu: { in: ['a100'] }, tier: { notIn: ['spot'] } },
      true,
    ],
    ['a value that only differs in case', { zone: 'EU' }, false],
  ])('%s → %s', (_what, selector, expected) => {
    expect(matchesSelector(labels, selector)).toBe(expected);
  });
});

describe('resource fit', () => {
  const capacity = { slots: 4, cpu: 2000, memoryMb: 1024 };

  it.each([
    [
      'an empty node, small task',
      { slots: 0, cpu: 0, memoryMb: 0 },
      { slots: 1, cpu: 500, memoryMb: 256 },
      true,
    ],
    [
      'exactly the room left',
      { slots: 3, cpu: 1500, memoryMb: 768 },
      { slots: 1, cpu: 500, memoryMb: 256 },
      true,
    ],
    [
      'one slot too many',
      { slots: 4, cpu: 0, memoryMb: 0 },
      { slots: 1, cpu: 0, memoryMb: 0 },
      false,
    ],
    [
      'one millicore too many',
      { slots: 0, cpu: 1501, memoryMb: 0 },
      { slots: 1, cpu: 500, memoryMb: 0 },
      false,
    ],
    [
      'one MB too many',
      { slots: 0, cpu: 0, memoryMb: 769 },
      { slots: 1, cpu: 0, memoryMb: 256 },
      false,
    ],
  ])('hasRoom: %s → %s', (_what, used, req, expected) => {
    expect(hasRoom(capacity, used, req)).toBe(expected);
  });

  it.each([
    ['a task the node can hold', { slots: 4, cpu: 2000, memoryMb: 1024 }, true],
    ['more slots than the node has', { slots: 5, cpu: 0, memoryMb: 0 }, false],
    ['more cpu than the node has', { slots: 1, cpu: 2001, memoryMb: 0 }, false],
    ['more memory than the node has', { slots: 1, cpu: 0, memoryMb: 1025 }, false],
  ])('couldEverFit: %s → %s', (_what, req, expected) => {
    expect(couldEverFit(capacity, req)).toBe(expected);
  });
});
