import { EMPTY } from 'rxjs';
import { BusPublisher, type BusClient } from './bus-publisher';
import type { NodeAssignedMessage } from './messages';
import { Patterns } from './patterns';

const assignment = (node: string): NodeAssignedMessage => ({
  node,
  incarnation: 1,
  tasks: [
    {
      id: `01JD${node.padStart(22, '0')}`,
      lease: 1,
      attempt: 1,
      type: 'echo',
      timeoutMs: 1000,
      payload: '"x"',
      slots: 1,
      cpu: 0,
      memoryMb: 0,
    },
  ],
});

function fakeClient(withBatch: boolean): BusClient & { emitted: unknown[]; batches: unknown[][] } {
  const client = {
    emitted: [] as unknown[],
    batches: [] as unknown[][],
    emit(pattern: string, data: unknown) {
      client.emitted.push({ pattern, data });
      return EMPTY;
    },
    close: () => undefined,
  };
  if (!withBatch) return client;
  return Object.assign(client, {
    emitBatch(packets: readonly { pattern: string; data: unknown }[]): Promise<void> {
      client.batches.push([...packets]);
      return Promise.resolve();
    },
  });
}

describe('BusPublisher.nodesAssigned', () => {
  it("publishes a pass's announcements in one batch, one message per node, in order", () => {
    const client = fakeClient(true);
    const msgs = ['w1', 'w2', 'w3'].map(assignment);
    new BusPublisher(client).nodesAssigned(msgs);
    expect(client.emitted).toEqual([]);
    expect(client.batches).toEqual([
      msgs.map((data) => ({ pattern: Patterns.NodeAssigned, data })),
    ]);
  });

  it('falls back to one emit per message when the client cannot batch', () => {
    const client = fakeClient(false);
    const msgs = ['w1', 'w2'].map(assignment);
    new BusPublisher(client).nodesAssigned(msgs);
    expect(client.emitted).toEqual(msgs.map((data) => ({ pattern: Patterns.NodeAssigned, data })));
  });

  it('still splits an announcement larger than the message cap', () => {
    const client = fakeClient(true);
    const big = assignment('w1');
    big.tasks = Array.from({ length: 4 }, (_, i) => ({
      ...big.tasks[0],
      id: `01JD${String(i).padStart(22, '0')}`,
      payload: JSON.stringify('y'.repeat(1500)),
    }));
    new BusPublisher(client, 4096).nodesAssigned([big, assignment('w2')]);
    const sent = client.batches[0] as { data: NodeAssignedMessage }[];
    expect(sent.length).toBeGreaterThan(2);
    expect(sent.flatMap((p) => p.data.tasks.map((t) => t.id))).toEqual([
      ...big.tasks.map((t) => t.id),
      assignment('w2').tasks[0].id,
    ]);
  });
});
