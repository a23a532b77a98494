import type { NodeView } from '@switchyard/core';
import { ClusterSnapshot } from './cluster-snapshot';
import { QueueObserver } from './queue-observer';

function view(id: string, types: string[], slots: number, usedSlots = 0): NodeView {
  return {
    id,
    types,
    capacity: { slots, cpu: 1000, memoryMb: 1024 },
    labels: {},
    hostname: 'h',
    pid: 1,
    incarnation: 1,
    status: 'alive',
    used: { slots: usedSlots, cpu: 0, memoryMb: 0 },
    registeredAt: 0,
    lastHeartbeatAt: 0,
    inFlight: usedSlots,
  };
}

describe('what the scheduler saw of the ready queues', () => {
  it('says why each type waits: no node for it, or no capacity left', () => {
    const observer = new QueueObserver();
    const snapshot = new ClusterSnapshot([view('a', ['echo'], 1, 1), view('b', ['hash'], 2)], 1);
    observer.record(
      new Map([
        ['echo', 3],
        ['hash', 2],
        ['resize', 5],
      ]),
      snapshot,
    );
    expect(observer.latest().queues).toEqual([
      { type: 'echo', depth: 3, reasonCode: 'noCapacity', reason: 'no capacity' },
      { type: 'hash', depth: 2 },
      {
        type: 'resize',
        depth: 5,
        reasonCode: 'noNodeForType',
        reason: 'no node handles type resize',
      },
    ]);
  });

  it('has seen no queues before the first pass', () => {
    expect(new QueueObserver().latest().queues).toEqual([]);
  });
});
