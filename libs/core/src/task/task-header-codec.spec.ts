import { decodeTaskHeader, encodeTaskHeader } from './task-header-codec';
import { newTaskHeader, type TaskHeader } from './task-record';
import type { TaskSpec } from './task.model';

const spec: TaskSpec = {
  type: 'noop',
  payload: null,
  priority: 0,
  requirements: { slots: 1, cpu: 0, memoryMb: 0, labels: {} },
  maxAttempts: 3,
  timeoutMs: 30_000,
};
const now = 1_764_470_000_000;

describe('the task header line', () => {
  it('keeps a queued task without options short: hot fields only, no JSON', () => {
    const line = encodeTaskHeader(newTaskHeader(spec, 'queued', now));
    expect(line).toBe(`q|noop|0|3|30000|0|0|${now}|1|0|||||||||||||`);
    // with a 256-byte payload (and Redis' 5-byte string header and NUL) the record stays within
    // jemalloc's 320-byte class
    expect(line.length + 1 + 256 + 6).toBeLessThanOrEqual(320);
  });

  it.each<[string, TaskHeader]>([
    [
      'a queued task with every option',
      {
        ...newTaskHeader(
          {
            ...spec,
            requirements: { slots: 2, cpu: 500, memoryMb: 64, labels: { zone: 'eu|west' } },
            idempotencyKey: 'k|1',
            strategy: 'spread',
            affinityKey: 'a',
            retry: { backoff: 'fixed', baseMs: 10, capMs: 20, jitter: 0 },
          },
          'queued',
          now,
        ),
        qa: now + 5,
      },
    ],
    [
      'an assigned task (open attempt in the line)',
      {
        ...newTaskHeader(spec, 'queued', now),
        s: 'assigned',
        a: 1,
        l: 1,
        n: 'w-1',
        i: 7,
        u: now + 1,
        h: [{ l: 1, n: 'w-1', i: 7, as: now + 1 }],
      },
    ],
    [
      'a succeeded task (lease gone, attempt kept)',
      {
        ...newTaskHeader(spec, 'queued', now),
        s: 'succeeded',
        a: 1,
        l: 1,
        u: now + 3,
        sa: now + 2,
        f: now + 3,
        h: [{ l: 1, n: 'w-1', i: 7, as: now + 1, sa: now + 2, ea: now + 3, o: 'succeeded' }],
      },
    ],
    [
      'a retried task (failed attempt with its error in the JSON)',
      {
        ...newTaskHeader(spec, 'queued', now),
        s: 'running',
        a: 2,
        l: 2,
        n: 'w-2',
        i: 1,
        u: now + 9,
        sa: now + 9,
        e: { m: 'boom | bang', c: 'x', r: true },
        h: [
          { l: 1, n: 'w-1', i: 7, as: now + 1, sa: now + 2, ea: now + 3, o: 'failed', m: 'boom' },
          { l: 2, n: 'w-2', i: 1, as: now + 8, sa: now + 9 },
        ],
      },
    ],
    [
      'a task released from a lost node (attempt closed without error)',
      {
        ...newTaskHeader(spec, 'queued', now),
        s: 'queued',
        a: 1,
        l: 1,
        u: now + 5,
        qa: now + 5,
        h: [{ l: 1, n: 'w-1', i: 7, as: now + 1, ea: now + 5, o: 'lost' }],
      },
    ],
  ])('reads back %s as written', (_what, header) => {
    expect(decodeTaskHeader(encodeTaskHeader(header))).toEqual(header);
  });

  it('refuses a line with too few fields or an unknown state', () => {
    expect(() => decodeTaskHeader('q|noop|0')).toThrow(/corrupt/);
    expect(() => decodeTaskHeader(`x${'|'.repeat(22)}`)).toThrow(/corrupt/);
  });
});
