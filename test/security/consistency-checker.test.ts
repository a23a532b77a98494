import type { ClusterState, TaskFacts } from '../support/cluster-state';
import { checkConsistency, type CheckOptions } from '../support/consistency-checker';

const OPTIONS: CheckOptions = { settled: false, finishedListCap: 1000, limitedTypes: ['sleep'] };

function task(overrides: Partial<TaskFacts>): TaskFacts {
  return {
    state: 'queued',
    type: 'echo',
    attempts: 0,
    maxAttempts: 3,
    leaseSeq: 0,
    slots: 1,
    cpu: 0,
    memoryMb: 0,
    dependsOn: [],
    history: [],
    ...overrides,
  };
}

/** A small consistent cluster: one task in each kind of index, one running on node w1. */
function consistent(): ClusterState {
  return {
    tasks: new Map<string, TaskFacts>([
      ['q1', task({ idempotencyKey: 'k' })],
      [
        'r1',
        task({
          state: 'running',
          type: 'sleep',
          attempts: 1,
          leaseSeq: 1,
          node: 'w1',
          incarnation: 2,
          slots: 2,
          cpu: 100,
          history: [{ lease: 1, node: 'w1', incarnation: 2 }],
        }),
      ],
      [
        's1',
        task({
          state: 'succeeded',
          attempts: 1,
          leaseSeq: 1,
          history: [{ lease: 1, node: 'w1', incarnation: 2, outcome: 'succeeded' }],
        }),
      ],
      [
        'f1',
        task({
          state: 'failed',
          attempts: 3,
          leaseSeq: 3,
          errorCode: 'boom',
          history: [1, 2, 3].map((l) => ({
            lease: l,
            node: 'w1',
            incarnation: 2,
            outcome: 'failed',
          })),
        }),
      ],
      ['b1', task({ state: 'blocked', dependsOn: ['q1'], waitingOn: 1 })],
      [
        'd1',
        task({
          state: 'delayed',
          attempts: 1,
          leaseSeq: 1,
          history: [{ lease: 1, node: 'w1', incarnation: 2, outcome: 'failed' }],
        }),
      ],
    ]),
    queues: new Map([['echo', ['q1']]]),
    delayed: ['d1'],
    blocked: ['b1'],
    failed: ['f1'],
    finished: ['s1'],
    leases: new Map([['w1', ['r1']]]),
    nodes: new Map([
      ['w1', { incarnation: 2, status: 'alive', usedSlots: 2, usedCpu: 100, usedMemoryMb: 0 }],
    ]),
    nodeRecords: ['w1'],
    typeLeases: new Map([['sleep', ['r1']]]),
    dependents: new Map([['q1', ['b1']]]),
    resolving: [],
    idempotency: new Map([['k', 'q1']]),
  };
}

describe('consistency checker', () => {
  it('finds nothing wrong with a consistent snapshot', () => {
    expect(checkConsistency(consistent(), OPTIONS)).toEqual([]);
  });

  it.each<[string, (s: ClusterState) => void, RegExp]>([
    [
      'a task in two indexes',
      (s) => s.delayed.push('q1'),
      /task q1 is queued but indexed in \[q:echo, delayed\]/,
    ],
    [
      'a task in no index',
      (s) => s.queues.set('echo', []),
      /task q1 is queued but indexed in \[\]/,
    ],
    [
      'a task in the wrong index',
      (s) => {
        s.failed = [];
        s.finished.push('f1');
      },
      /task f1 is failed but indexed in \[done\]/,
    ],
    ['an index entry without a record', (s) => s.blocked.push('gone'), /index blocked holds gone/],
    [
      'a slot count off by one',
      (s) => {
        s.nodes.get('w1')!.usedSlots = 3;
      },
      /node w1 counts slots\/cpu\/memory 3,100,0 in use, its tasks use 2,100,0/,
    ],
    [
      'a node state without its description',
      (s) => {
        s.nodeRecords = [];
      },
      /node w1 has a state but no description hash/,
    ],
    [
      'a node description without its state',
      (s) => {
        s.nodeRecords.push('w2');
      },
      /node w2 has a description hash but no state/,
    ],
    [
      'type bookkeeping that lost a task',
      (s) => s.typeLeases.set('sleep', []),
      /type sleep: running bookkeeping \[\] but leased tasks \[r1\]/,
    ],
    [
      'attempts over the budget',
      (s) => {
        s.tasks.get('f1')!.attempts = 4;
      },
      /attempts 4 > maxAttempts 3/,
    ],
    [
      'a success recorded twice',
      (s) => {
        s.tasks
          .get('s1')!
          .history.unshift({ lease: 0, node: 'w1', incarnation: 1, outcome: 'succeeded' });
      },
      /2 success\(es\) recorded/,
    ],
    [
      'a failed task whose last attempt succeeded',
      (s) => {
        s.tasks.get('f1')!.history[2].outcome = 'succeeded';
      },
      /a success is recorded/,
    ],
    [
      'an attempt left open on a finished task',
      (s) => {
        s.tasks.get('d1')!.history[0].outcome = undefined;
      },
      /1 attempt\(s\) left open/,
    ],
    [
      'a running task whose open attempt is an old lease',
      (s) => {
        s.tasks.get('r1')!.leaseSeq = 2;
      },
      /the open attempt is not the current lease/,
    ],
    [
      'a blocked task not registered with its dependency',
      (s) => s.dependents.clear(),
      /blocked task b1 waits on 1, registered with 0/,
    ],
    [
      'an idempotency key naming another task',
      (s) => s.idempotency.set('k', 's1'),
      /idempotency key k names s1/,
    ],
  ])('reports %s', (_what, corrupt, message) => {
    const s = consistent();
    corrupt(s);
    expect(checkConsistency(s, OPTIONS).join('\n')).toMatch(message);
  });

  it('reports live tasks and held slots once everything should have settled', () => {
    const problems = checkConsistency(consistent(), { ...OPTIONS, settled: true }).join('\n');
    expect(problems).toMatch(/task q1 \(queued\): not settled/);
    expect(problems).toMatch(/node w1 still holds 1 task\(s\)/);
    expect(problems).toMatch(/1 task\(s\) still registered on q1/);
  });
});
