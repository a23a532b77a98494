import {
  decodeTaskHeader,
  encodeNewTaskHeader,
  encodeTaskHeader,
  NewTaskHeaders,
  stateOfRecord,
} from './task-header-codec';
import type { TaskState } from './task-state';
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

describe('the state of a stored record', () => {
  it('is read from its first bytes, for every state', () => {
    const states: TaskState[] = ['queued', 'assigned', 'running', 'succeeded', 'failed'];
    states.push('cancelled', 'delayed', 'blocked');
    for (const s of states) {
      const header = { ...newTaskHeader(spec, 'queued', now), s, n: 'w1', i: 1, l: 1 };
      const record = Buffer.from(`${encodeTaskHeader(header)}\n{"pad":"x"}\nnull`);
      expect(stateOfRecord(record)).toBe(s);
    }
  });

  it('refuses a record without a known state code', () => {
    expect(() => stateOfRecord(Buffer.from('x|noop|'))).toThrow(/corrupt/);
    expect(() => stateOfRecord(Buffer.from('qq|noop|'))).toThrow(/corrupt/);
    expect(() => stateOfRecord(Buffer.from(''))).toThrow(/corrupt/);
  });
});

describe('the header line of a new task', () => {
  const full: TaskSpec = {
    ...spec,
    priority: -7,
    requirements: { slots: 2, cpu: 500, memoryMb: 64, labels: { zone: 'eu|west', 'a"b': 'c' } },
    idempotencyKey: 'k|1',
    strategy: 'spread',
    affinityKey: 'a',
    runAt: now + 60_000,
    dependsOn: ['01KB0000000000000000000000'],
    retry: { backoff: 'exponential', baseMs: 10, capMs: 20, jitter: 0.5 },
  };
  const variants: [string, TaskSpec][] = [
    ['no options', spec],
    ['every option', full],
    ['labels only', { ...spec, requirements: { ...spec.requirements, labels: { z: '1' } } }],
    [
      'cpu and memory only',
      { ...spec, requirements: { ...spec.requirements, cpu: 1, memoryMb: 2 } },
    ],
    ['an empty dependsOn', { ...spec, dependsOn: [] }],
    ['a run time', { ...spec, runAt: now + 5 }],
    ['an idempotency key and retry policy', { ...spec, idempotencyKey: 'i', retry: full.retry }],
  ];

  it.each(
    variants.flatMap(([name, s]) =>
      (['queued', 'delayed', 'blocked'] as const).map((st) => [name, st, s] as const),
    ),
  )('is the line of its header object (%s, %s)', (_name, state, s) => {
    expect(encodeNewTaskHeader(s, state, now)).toBe(encodeTaskHeader(newTaskHeader(s, state, now)));
  });
});

describe('reading numbers from the header line', () => {
  const line = (fields: Record<number, string>): string =>
    `${Array.from({ length: 22 }, (_, k) => fields[k] ?? (k === 0 ? 'q' : k === 1 ? 'noop' : '')).join('|')}|`;

  it.each([
    '0',
    '42',
    '-3',
    '-0',
    '007',
    '1764470000000',
    '123456789012345678',
    '1.5',
    '1e3',
    '+4',
    ' 5',
    'x',
    '-',
  ])('reads %j as Number() does', (text) => {
    const h = decodeTaskHeader(line({ 2: text, 7: text, 12: text }));
    expect(Object.is(h.pr, Number(text))).toBe(true);
    expect(Object.is(h.c, Number(text))).toBe(true);
    expect(Object.is(h.ra, Number(text))).toBe(true);
  });

  it('leaves empty optional fields out and reads empty required ones as Number("")', () => {
    const h = decodeTaskHeader(line({}));
    expect(h.pr).toBe(0);
    expect('ra' in h).toBe(false);
    expect('qa' in h).toBe(false);
  });

  it('refuses a short line and an unknown state code', () => {
    expect(() => decodeTaskHeader('q|noop|0|')).toThrow(/short header/);
    expect(() => decodeTaskHeader(line({ 0: 'x' }))).toThrow(/state code "x"/);
    expect(() => decodeTaskHeader(line({ 0: 'qq' }))).toThrow(/state code "qq"/);
  });
});

describe('the header lines of one submit', () => {
  it('are each the line of their own task, whether the one before was the same kind or not', () => {
    const headers = new NewTaskHeaders();
    const specs: [TaskSpec, TaskState][] = [
      [spec, 'queued'],
      [{ ...spec }, 'queued'],
      [{ ...spec, priority: 2 }, 'queued'],
      [{ ...spec, priority: 2 }, 'delayed'],
      [{ ...spec, priority: 2, runAt: now + 1 }, 'delayed'],
      [{ ...spec, requirements: { ...spec.requirements, labels: { a: 'b' } } }, 'queued'],
      [{ ...spec, requirements: { ...spec.requirements, labels: { a: 'c' } } }, 'queued'],
      [{ ...spec, idempotencyKey: 'k1' }, 'queued'],
      [{ ...spec, idempotencyKey: 'k2' }, 'queued'],
      [{ ...spec, requirements: { ...spec.requirements, memoryMb: 5 } }, 'queued'],
      [spec, 'queued'],
    ];
    for (const [s, state] of specs) {
      expect(headers.line(s, state, now)).toBe(encodeTaskHeader(newTaskHeader(s, state, now)));
    }
    expect(headers.line(spec, 'queued', now + 1)).toBe(
      encodeTaskHeader(newTaskHeader(spec, 'queued', now + 1)),
    );
  });
});
