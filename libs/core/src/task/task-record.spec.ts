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
});
