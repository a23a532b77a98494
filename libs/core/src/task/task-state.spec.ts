import {
  canTransition,
  INITIAL_STATES,
  isTerminal,
  TASK_STATES,
  TERMINAL_STATES,
  TRANSITIONS,
} from './task-state';

describe('the task state machine', () => {
  it('lists every state exactly once in the table', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...TASK_STATES].sort());
  });

  it('only names known states as targets', () => {
    for (const targets of Object.values(TRANSITIONS)) {
      for (const to of targets) expect(TASK_STATES).toContain(to);
    }
  });

  it.each([
    ['queued', 'assigned'],
    ['assigned', 'running'],
    ['running', 'succeeded'],
    ['running', 'delayed'],
    ['delayed', 'queued'],
    ['blocked', 'queued'],
    ['running', 'queued'],
    ['failed', 'queued'],
    ['cancelled', 'queued'],
  ] as const)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each([
    ['queued', 'running'],
    ['queued', 'succeeded'],
    ['delayed', 'assigned'],
    ['succeeded', 'queued'],
    ['succeeded', 'failed'],
    ['failed', 'running'],
    ['cancelled', 'succeeded'],
    ['blocked', 'assigned'],
  ] as const)('forbids %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('lets succeeded lead nowhere: it is final', () => {
    expect(TRANSITIONS.succeeded).toEqual([]);
  });

  it('marks exactly succeeded, failed and cancelled terminal', () => {
    expect(TASK_STATES.filter(isTerminal)).toEqual([...TERMINAL_STATES]);
    expect(TERMINAL_STATES).toEqual(['succeeded', 'failed', 'cancelled']);
  });

  it('lets every live state be cancelled and no terminal one', () => {
    for (const s of TASK_STATES) expect(canTransition(s, 'cancelled')).toBe(!isTerminal(s));
  });

  it('creates tasks only in a waiting state', () => {
    expect(INITIAL_STATES).toEqual(['queued', 'delayed', 'blocked']);
  });
});
