import { checkBusMessage, type DropReason } from './bus-message-check';
import { payloadOf, type AssignedTask } from './messages';
import { Patterns, type Pattern } from './patterns';

const ID = '01JD0000000000000000000000';
const MAX = 4 * 1024 * 1024;
const wire = (pattern: string, data: unknown): string => JSON.stringify({ pattern, data });
const reasonOf = (pattern: Pattern, raw: string): DropReason | 'ok' => {
  const v = checkBusMessage(pattern, raw, MAX);
  return v.ok ? 'ok' : v.reason;
};

const assigned = {
  id: ID,
  lease: 3,
  attempt: 1,
  type: 'echo',
  timeoutMs: 60_000,
  input: { a: 1 },
  slots: 1,
  cpu: 0,
  memoryMb: 0,
};

/** Per pattern: one valid message, and changes that each break its contract. */
const CONTRACTS: Record<Pattern, { valid: object; invalid: [string, object][] }> = {
  [Patterns.TasksSubmitted]: {
    valid: { count: 3 },
    invalid: [
      ['count missing', {}],
      ['count a string', { count: '3' }],
      ['count negative', { count: -1 }],
      ['count fractional', { count: 1.5 }],
      ['count out of range', { count: 1e12 }],
    ],
  },
  [Patterns.TasksFinished]: {
    valid: {
      node: 'w1',
      done: [ID],
      ended: 1,
      freed: { slots: 1, cpu: 0, memoryMb: 0 },
      standby: { took: [ID], dropped: [], slots: 1, cpu: 0, memoryMb: 0 },
    },
    invalid: [
      ['node missing', { done: [], ended: 0, freed: { slots: 0, cpu: 0, memoryMb: 0 } }],
      [
        'node too long',
        { node: 'n'.repeat(65), done: [], ended: 0, freed: { slots: 0, cpu: 0, memoryMb: 0 } },
      ],
      [
        'node with a space',
        { node: 'a b', done: [], ended: 0, freed: { slots: 0, cpu: 0, memoryMb: 0 } },
      ],
      [
        'done not ids',
        { node: 'w1', done: [1], ended: 0, freed: { slots: 0, cpu: 0, memoryMb: 0 } },
      ],
      [
        'done too long',
        {
          node: 'w1',
          done: Array.from({ length: 50_001 }, () => ID),
          ended: 0,
          freed: { slots: 0, cpu: 0, memoryMb: 0 },
        },
      ],
      ['freed missing', { node: 'w1', done: [], ended: 0 }],
      [
        'freed.slots negative',
        { node: 'w1', done: [], ended: 0, freed: { slots: -1, cpu: 0, memoryMb: 0 } },
      ],
      [
        'standby.took not ids',
        {
          node: 'w1',
          done: [],
          ended: 0,
          freed: { slots: 0, cpu: 0, memoryMb: 0 },
          standby: { took: ['x'], dropped: [], slots: 0, cpu: 0, memoryMb: 0 },
        },
      ],
      [
        'standby.slots missing',
        {
          node: 'w1',
          done: [],
          ended: 0,
          freed: { slots: 0, cpu: 0, memoryMb: 0 },
          standby: { took: [ID], dropped: [], cpu: 0, memoryMb: 0 },
        },
      ],
    ],
  },
  [Patterns.NodesChanged]: {
    valid: { node: 'w1', change: 'registered' },
    invalid: [
      ['unknown change', { node: 'w1', change: 'exploded' }],
      ['node a number', { node: 7, change: 'left' }],
    ],
  },
  [Patterns.NodeAssigned]: {
    valid: { node: 'w1', incarnation: 2, tasks: [assigned] },
    invalid: [
      ['tasks not an array', { node: 'w1', incarnation: 2, tasks: {} }],
      ['task id not a ULID', { node: 'w1', incarnation: 2, tasks: [{ ...assigned, id: 'x' }] }],
      ['lease a string', { node: 'w1', incarnation: 2, tasks: [{ ...assigned, lease: '3' }] }],
      [
        'slots over the limit',
        { node: 'w1', incarnation: 2, tasks: [{ ...assigned, slots: 10_001 }] },
      ],
      [
        'payload missing (neither input nor payload)',
        { node: 'w1', incarnation: 2, tasks: [{ ...assigned, input: undefined }] },
      ],
      [
        "payload text not a string (an older dispatcher's field)",
        { node: 'w1', incarnation: 2, tasks: [{ ...assigned, input: undefined, payload: {} }] },
      ],
      ['type with a space', { node: 'w1', incarnation: 2, tasks: [{ ...assigned, type: 'a b' }] }],
      ['incarnation negative', { node: 'w1', incarnation: -2, tasks: [] }],
    ],
  },
  [Patterns.NodeCancel]: {
    valid: { node: 'w1', tasks: [{ id: ID, lease: 1 }] },
    invalid: [
      ['task without lease', { node: 'w1', tasks: [{ id: ID }] }],
      ['tasks null', { node: 'w1', tasks: null }],
    ],
  },
  [Patterns.NodeDrain]: {
    valid: { node: 'w1', incarnation: 4 },
    invalid: [
      ['incarnation missing', { node: 'w1' }],
      ['incarnation a float', { node: 'w1', incarnation: 0.5 }],
    ],
  },
  [Patterns.LeaderReleased]: {
    valid: { epoch: 9 },
    invalid: [
      ['epoch missing', {}],
      ['epoch beyond safe integers', { epoch: 2 ** 60 }],
    ],
  },
};

describe('checkBusMessage', () => {
  describe.each(Object.entries(CONTRACTS))('%s', (name, { valid, invalid }) => {
    const pattern = name as Pattern;

    it('lets a message that keeps the contract through, with its data', () => {
      expect(checkBusMessage(pattern, wire(pattern, valid), MAX)).toEqual({
        ok: true,
        data: valid,
      });
    });

    it('lets fields it does not know through (a newer sender may add one)', () => {
      expect(reasonOf(pattern, wire(pattern, { ...valid, addedLater: true }))).toBe('ok');
    });

    it.each(invalid)('drops a message with %s as invalid, naming the field', (_what, data) => {
      const verdict = checkBusMessage(pattern, wire(pattern, data), MAX);
      expect(verdict).toMatchObject({ ok: false, reason: 'invalid' });
      expect(!verdict.ok && verdict.detail).toMatch(/must/);
    });

    it('drops data that is not an object as invalid', () => {
      for (const data of [null, 7, 'x', [valid]])
        expect(reasonOf(pattern, wire(pattern, data))).toBe('invalid');
    });

    it('drops a message over the byte cap as oversized', () => {
      const big = wire(pattern, { ...valid, pad: 'x'.repeat(MAX) });
      expect(reasonOf(pattern, big)).toBe('oversized');
    });

    it('counts bytes, not characters, against the cap', () => {
      const raw = wire(pattern, { ...valid, pad: 'é'.repeat(MAX / 2) });
      expect(raw.length).toBeLessThan(MAX + 100);
      expect(reasonOf(pattern, raw)).toBe('oversized');
    });

    it('counts three-byte characters too (a third of the cap in characters is over it)', () => {
      const raw = wire(pattern, { ...valid, pad: '€'.repeat(Math.ceil(MAX / 3)) });
      expect(raw.length).toBeLessThan(MAX / 2);
      expect(reasonOf(pattern, raw)).toBe('oversized');
    });

    it('drops text that is not JSON as unparseable', () => {
      for (const raw of ['', 'garbage', '{"pattern":', '\u0000\u0001'])
        expect(reasonOf(pattern, raw)).toBe('unparseable');
    });

    it('drops JSON that is not a transport envelope as malformed', () => {
      for (const raw of ['null', '42', '"text"', '[1,2]'])
        expect(reasonOf(pattern, raw)).toBe('malformed');
    });

    it('drops a request (an envelope with an id) as malformed: there is no one to reply', () => {
      expect(reasonOf(pattern, JSON.stringify({ pattern, data: valid, id: 'r1' }))).toBe(
        'malformed',
      );
    });

    it('drops an envelope naming no known pattern as unknown-pattern', () => {
      expect(reasonOf(pattern, wire('tasks.explode', valid))).toBe('unknown-pattern');
      expect(reasonOf(pattern, JSON.stringify({ data: valid }))).toBe('unknown-pattern');
      expect(reasonOf(pattern, JSON.stringify({ pattern: { cmd: 1 }, data: valid }))).toBe(
        'unknown-pattern',
      );
    });

    it("drops an envelope naming another pattern than its channel's as malformed", () => {
      const other = Object.keys(CONTRACTS).find((p) => p !== pattern) as Pattern;
      expect(reasonOf(pattern, wire(other, valid))).toBe('malformed');
    });
  });

  it('names the path of the first problem', () => {
    const raw = wire(Patterns.NodeAssigned, {
      node: 'w1',
      incarnation: 2,
      tasks: [assigned, { ...assigned, lease: 'x' }],
    });
    expect(checkBusMessage(Patterns.NodeAssigned, raw, MAX)).toEqual({
      ok: false,
      reason: 'invalid',
      detail: `tasks[1].lease must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`,
    });
    expect(checkBusMessage(Patterns.NodeDrain, wire(Patterns.NodeDrain, []), MAX)).toMatchObject({
      detail: 'the message must be an object',
    });
  });

  it('never quotes the message in the detail', () => {
    const secret = 'hunter2-in-a-message';
    const raw = JSON.stringify({
      pattern: Patterns.NodeDrain,
      data: { node: secret, incarnation: -1 },
    });
    const verdict = checkBusMessage(Patterns.NodeDrain, raw, MAX);
    expect(verdict.ok).toBe(false);
    expect(JSON.stringify(verdict)).not.toContain(secret);
  });

  it("takes an older dispatcher's assignment (the payload as JSON text) and reads both forms alike", () => {
    const legacy = { ...assigned, input: undefined, payload: '{"a":1}' };
    const raw = wire(Patterns.NodeAssigned, { node: 'w1', incarnation: 2, tasks: [legacy] });
    const verdict = checkBusMessage(Patterns.NodeAssigned, raw, MAX);
    expect(verdict.ok).toBe(true);
    const [task] = (JSON.parse(raw) as { data: { tasks: AssignedTask[] } }).data.tasks;
    expect(payloadOf(task)).toEqual({ a: 1 });
    expect(payloadOf(assigned)).toEqual({ a: 1 });
    expect(payloadOf({ ...assigned, input: null })).toBeNull();
  });
});
