import type { NodeState, NodeStatus, NodeStore, NodeView } from '@switchyard/core';
import { ClusterState, withStates } from './cluster-state';
import { nodeView } from './node-view.fixture';

function view(id: string, usedSlots = 0, status: NodeStatus = 'alive', incarnation = 1): NodeView {
  return nodeView(id, { slots: 4, usedSlots, status, incarnation, labels: { zone: 'a' } });
}

function stateOf(v: NodeView): NodeState {
  return { incarnation: v.incarnation, status: v.status, capacity: v.capacity, used: v.used };
}

/** A NodeStore that answers from `views` and `version`, counting its reads. */
class FakeRegistry {
  views: NodeView[] = [view('n1'), view('n2')];
  version = 7;
  lists = 0;
  stateReads = 0;

  list(): Promise<NodeView[]> {
    this.lists++;
    return Promise.resolve(this.views.map((v) => ({ ...v, used: { ...v.used } })));
  }

  states(): Promise<Map<string, NodeState>> {
    this.stateReads++;
    return Promise.resolve(new Map(this.views.map((v) => [v.id, stateOf(v)])));
  }

  versionNow(): Promise<number> {
    return Promise.resolve(this.version);
  }
}

function clusterOn(registry: FakeRegistry): ClusterState {
  const store = {
    list: () => registry.list(),
    states: () => registry.states(),
    version: () => registry.versionNow(),
  } as unknown as NodeStore;
  return new ClusterState(store);
}

describe('ClusterState', () => {
  const t0 = 1_000_000;

  it('reads every node once, then resyncs usage from the node states alone', async () => {
    const registry = new FakeRegistry();
    const cluster = clusterOn(registry);
    await cluster.current(t0);
    expect(registry.lists).toBe(1);

    registry.views[0] = view('n1', 3); // usage moved without a message
    expect((await cluster.current(t0 + 500)).nodes.get('n1')?.used.slots).toBe(0); // not due
    const snap = await cluster.current(t0 + 1000);
    expect(registry).toMatchObject({ lists: 1, stateReads: 1 });
    expect(snap.nodes.get('n1')?.used.slots).toBe(3);
    expect(snap.nodes.get('n1')?.labels).toEqual({ zone: 'a' }); // descriptions kept
    expect(snap.version).toBe(7);
  });

  it.each<[string, (r: FakeRegistry) => void]>([
    ['the registry version moved', (r) => (r.version = 8)],
    ['a node changed status', (r) => (r.views[1] = view('n2', 0, 'draining'))],
    ['a node re-registered', (r) => (r.views[1] = view('n2', 0, 'alive', 2))],
    ['a node joined', (r) => r.views.push(view('n3'))],
    ['a node left', (r) => r.views.pop()],
  ])('reads everything again when %s', async (_what, change) => {
    const registry = new FakeRegistry();
    const cluster = clusterOn(registry);
    await cluster.current(t0);
    change(registry);
    const snap = await cluster.current(t0 + 1000);
    expect(registry.lists).toBe(2);
    expect([...snap.nodes.keys()]).toEqual(
      registry.views.filter((v) => v.status === 'alive').map((v) => v.id),
    );
  });

  it('reads everything again when marked stale, due or not', async () => {
    const registry = new FakeRegistry();
    const cluster = clusterOn(registry);
    await cluster.current(t0);
    cluster.markStale();
    await cluster.current(t0 + 1);
    expect(registry).toMatchObject({ lists: 2, stateReads: 0 });
  });

  it('withStates answers null unless the states name exactly the same registrations', () => {
    const views = [view('n1'), view('n2', 1)];
    const states = new Map(views.map((v) => [v.id, stateOf(v)]));
    expect(withStates(views, states)?.map((v) => v.used.slots)).toEqual([0, 1]);
    expect(withStates(views, new Map([...states].slice(0, 1)))).toBeNull();
    states.set('n2', { ...stateOf(views[1]), incarnation: 2 });
    expect(withStates(views, states)).toBeNull();
  });
});
