import type { NodeView, TaskRequirements } from '@switchyard/core';
import { ClusterSnapshot } from './cluster-snapshot';
import { nodeView } from './node-view.fixture';

function view(
  id: string,
  slots: number,
  labels: Record<string, string> = {},
  types = ['echo'],
): NodeView {
  return nodeView(id, { slots, labels, types });
}

const req = (slots = 1, labels: TaskRequirements['labels'] = {}): TaskRequirements => ({
  slots,
  cpu: 0,
  memoryMb: 0,
  labels,
});
const ids = (list: readonly { id: string }[]): string[] => list.map((n) => n.id);

describe('the leader snapshot of the nodes', () => {
  it('offers only alive nodes of the type that match the selector and have room', () => {
    const dead = { ...view('dead', 4), status: 'dead' as const };
    const snapshot = new ClusterSnapshot(
      [
        view('a', 4, { zone: 'eu' }),
        view('b', 1, { zone: 'us' }),
        view('other', 4, {}, ['hash']),
        dead,
      ],
      1,
    );
    expect(ids(snapshot.candidatesFor('echo', req()))).toEqual(['a', 'b']);
    expect(ids(snapshot.candidatesFor('echo', req(1, { zone: 'eu' })))).toEqual(['a']);
    expect(ids(snapshot.candidatesFor('echo', req(2)))).toEqual(['a']);
    expect(ids(snapshot.candidatesFor('nothing', req()))).toEqual([]);
  });

  it('drops a node from every cached list once decisions fill it', () => {
    const snapshot = new ClusterSnapshot([view('a', 2), view('b', 4)], 1);
    expect(ids(snapshot.candidatesFor('echo', req(1)))).toEqual(['a', 'b']);
    expect(ids(snapshot.candidatesFor('echo', req(2)))).toEqual(['a', 'b']);
    snapshot.reserve('a', req(1));
    expect(ids(snapshot.candidatesFor('echo', req(1)))).toEqual(['a', 'b']);
    expect(ids(snapshot.candidatesFor('echo', req(2)))).toEqual(['b']);
    snapshot.reserve('a', req(1));
    expect(ids(snapshot.candidatesFor('echo', req(1)))).toEqual(['b']);
  });

  it('offers a node again once capacity is given back', () => {
    const snapshot = new ClusterSnapshot([view('a', 1), view('b', 1)], 1);
    snapshot.reserve('a', req(1));
    expect(ids(snapshot.candidatesFor('echo', req(1)))).toEqual(['b']);
    snapshot.reserve('a', req(1), -1);
    expect(ids(snapshot.candidatesFor('echo', req(1)))).toEqual(['a', 'b']);
  });

  it('projects the same nodes with other usage, leaving the snapshot and the usage given as they were', () => {
    const snapshot = new ClusterSnapshot(
      [view('a', 2), view('b', 2, {}, ['echo', 'hash']), { ...view('c', 2), status: 'dead' }],
      3,
    );
    snapshot.reserve('a', req(1));
    const usage = new Map([['b', { slots: 2, cpu: 0, memoryMb: 0 }]]);
    const projected = snapshot.projected(usage);
    expect(projected.version).toBe(3);
    expect(projected.allNodeIds).toBe(snapshot.allNodeIds);
    expect(ids(projected.candidatesFor('echo', req(1)))).toEqual(['a']);
    expect(ids(projected.handling('hash'))).toEqual(['b']);
    projected.reserve('a', req(2));
    projected.reserve('b', req(1), -1);
    expect(usage.get('b')).toEqual({ slots: 2, cpu: 0, memoryMb: 0 });
    expect(snapshot.nodes.get('a')?.used.slots).toBe(1);
    expect(snapshot.nodes.get('b')?.used.slots).toBe(0);
    expect(ids(snapshot.candidatesFor('echo', req(1)))).toEqual(['a', 'b']);
  });

  it('keeps one node id array per snapshot, for strategies that cache by identity', () => {
    const snapshot = new ClusterSnapshot([view('a', 1), view('b', 1)], 1);
    expect(snapshot.allNodeIds).toBe(snapshot.allNodeIds);
    expect(snapshot.allNodeIds).toEqual(['a', 'b']);
  });
});
