import type { SwitchyardConfig, TasksFinishedMessage } from '@switchyard/core';
import type { AssignmentLoop } from './assignment-loop';
import type { ClusterState } from './cluster-state';
import { IDLE_FINISH_WAKE_MS, LoopWaker } from './loop-waker';
import type { StandbyPlanner } from './standby-planner';

const finish = (over: Partial<TasksFinishedMessage> = {}): TasksFinishedMessage => ({
  node: 'n1',
  done: ['t1'],
  ended: 1,
  freed: { slots: 1, cpu: 0, memoryMb: 0 },
  ...over,
});

describe('waking the scheduling loop for bus events', () => {
  let wakes: number;
  /** Slots in use per node, as the leader's snapshot has them after the finish. */
  let used: Record<string, number>;
  let hintsHeld: number;

  const make = (config: Partial<SwitchyardConfig> = {}): LoopWaker =>
    new LoopWaker(
      { wake: () => wakes++ } as unknown as AssignmentLoop,
      {
        peek: () => ({
          nodes: new Map(Object.entries(used).map(([id, slots]) => [id, { used: { slots } }])),
        }),
      } as unknown as ClusterState,
      {
        held: () => new Map(hintsHeld > 0 ? [['echo', new Set(['h1'])]] : []),
      } as unknown as StandbyPlanner,
      { standbyAssignments: true, typeLimits: {}, ...config } as SwitchyardConfig,
    );

  let waker: LoopWaker;

  beforeEach(() => {
    jest.useFakeTimers();
    wakes = 0;
    used = { n1: 0, n2: 0 };
    hintsHeld = 0;
    waker = make();
  });

  afterEach(() => {
    waker.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('wakes at once for a submit or a node change', () => {
    waker.now();
    waker.now();
    expect(wakes).toBe(2);
  });

  it('wakes at once for a finish while a task still runs on some node', () => {
    used.n2 = 1;
    waker.finished(finish());
    expect(wakes).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('lets a finish that leaves the cluster idle wake the loop a little later', () => {
    waker.finished(finish());
    waker.finished(finish({ node: 'n2', done: ['t2'] }));
    expect(wakes).toBe(0);
    jest.advanceTimersByTime(IDLE_FINISH_WAKE_MS - 1);
    expect(wakes).toBe(0);
    jest.advanceTimersByTime(1);
    expect(wakes).toBe(1); // one pass for both finishes
    expect(jest.getTimerCount()).toBe(0);
  });

  it('has a submit that comes meanwhile wake the loop in place of the idle finish', () => {
    waker.finished(finish());
    waker.now();
    expect(wakes).toBe(1);
    jest.advanceTimersByTime(IDLE_FINISH_WAKE_MS * 2);
    expect(wakes).toBe(1);
  });

  it('wakes once for a lone task announced twice (own submit and its message), per task', () => {
    const head = (id: string) => ({ id, type: 'echo', header: 'q|echo|0|3|10000|0|0|1|1' });
    waker.submitted(head('t1'));
    waker.submitted(head('t2'));
    waker.submitted(head('t1'));
    waker.submitted(head('t2'));
    expect(wakes).toBe(2);
    waker.submitted(undefined);
    waker.submitted(undefined);
    expect(wakes).toBe(4); // a batch's announcements are not told apart
  });

  it('wakes at once when the finish brings work: a retry, or standby hints taken or dropped', () => {
    waker.finished(finish({ done: [], ended: 1 }));
    waker.finished(
      finish({ standby: { took: [], dropped: ['t9'], slots: 0, cpu: 0, memoryMb: 0 } }),
    );
    expect(wakes).toBe(2);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('wakes at once while the leader holds standby hints (tasks wait in the queues)', () => {
    hintsHeld = 1;
    waker.finished(finish());
    expect(wakes).toBe(1);
  });

  it('always wakes at once without standby hints or with TYPE_LIMITS', () => {
    waker.onApplicationShutdown();
    waker = make({ standbyAssignments: false });
    waker.finished(finish());
    expect(wakes).toBe(1);
    waker = make({ typeLimits: { echo: { maxRunning: 1 } } });
    waker.finished(finish());
    expect(wakes).toBe(2);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('drops a deferred wake on shutdown', () => {
    waker.finished(finish());
    waker.onApplicationShutdown();
    expect(jest.getTimerCount()).toBe(0);
  });
});
