import { decodeTaskRecord, encodeTaskRecord, newTaskHeader, toTaskView } from './task-record';
import type { TaskSpec } from './task.model';

const spec: TaskSpec = {
  type: 'echo',
  payload: { list: [], nested: { empty: {} }, text: 'line\nbreak' },
  priority: 3,
  requirements: { slots: 2, cpu: 500, memoryMb: 64, labels: { zone: 'eu' } },
  maxAttempts: 4,
  timeoutMs: 1000,
  idempotencyKey: 'k1',
};

describe('the task record', () => {
  it('keeps the payload byte for byte (empty arrays stay arrays, newlines stay escaped)', () => {
    const payloadJson = JSON.stringify(spec.payload);
    const raw = encodeTaskRecord(newTaskHeader(spec, 'queued', 1000), payloadJson);
    expect(raw.split('\n')).toHaveLength(2);
    expect(decodeTaskRecord(raw).payloadJson).toBe(payloadJson);
  });

  it('reads back a view with defaults filled and a result segment', () => {
    const raw = `${encodeTaskRecord(newTaskHeader(spec, 'queued', 1000), JSON.stringify(spec.payload))}\n[1,[]]`;
    const view = toTaskView('01ABC', decodeTaskRecord(raw));
    expect(view).toMatchObject({
      id: '01ABC',
      type: 'echo',
      state: 'queued',
      priority: 3,
      requirements: spec.requirements,
      maxAttempts: 4,
      attempts: 0,
      createdAt: 1000,
      queuedAt: 1000,
      idempotencyKey: 'k1',
      result: [1, []],
      history: [],
    });
    expect(view.payload).toEqual(spec.payload);
  });

  it('omits default requirements from the stored header', () => {
    const header = newTaskHeader(
      {
        ...spec,
        requirements: { slots: 1, cpu: 0, memoryMb: 0, labels: {} },
        idempotencyKey: undefined,
      },
      'queued',
      1,
    );
    // no `u` until the first transition: it equals `c`, and a queued task's bytes are counted
    expect(Object.keys(header).sort()).toEqual([
      'a',
      'c',
      'l',
      'ma',
      'pr',
      'qa',
      's',
      'sl',
      'to',
      'ty',
    ]);
  });

  it('refuses a record without a header separator', () => {
    expect(() => decodeTaskRecord('{"s":"queued"}')).toThrow(/corrupt/);
  });
  it("lists a view's fields in one order, whichever are present", () => {
    const header = {
      ...newTaskHeader(
        { ...spec, dependsOn: ['01X'], strategy: 's', affinityKey: 'a' },
        'running',
        1000,
      ),
      u: 1500,
      qa: 1100,
      ra: 1200,
      sa: 1300,
      f: 1400,
      n: 'node-1',
      i: 2,
      l: 3,
      e: { m: 'boom', c: 'E', r: true },
      h: [{ l: 3, n: 'node-1', i: 2, as: 1250, sa: 1300 }],
      rp: { backoff: 'fixed' as const, baseMs: 1, capMs: 2, jitter: 0 },
      pg: { p: 50, d: '[]' },
      bw: 1,
      sch: { i: 'sched', t: 9 },
    };
    const view = toTaskView('01ID', decodeTaskRecord(`${encodeTaskRecord(header, '{}')}\n[]`));
    expect(Object.keys(view)).toEqual([
      'id',
      'type',
      'state',
      'payload',
      'priority',
      'requirements',
      'maxAttempts',
      'timeoutMs',
      'attempts',
      'lease',
      'node',
      'createdAt',
      'updatedAt',
      'queuedAt',
      'runAt',
      'startedAt',
      'finishedAt',
      'result',
      'error',
      'history',
      'idempotencyKey',
      'strategy',
      'affinityKey',
      'dependsOn',
      'retry',
      'progress',
      'waitingOn',
      'schedule',
    ]);
    expect(view.history).toEqual([
      { lease: 3, node: 'node-1', incarnation: 2, assignedAt: 1250, startedAt: 1300 },
    ]);
    expect(view.error).toEqual({ message: 'boom', retryable: true, code: 'E' });
    expect(view.progress).toEqual({ percent: 50, data: [] });
  });
});
