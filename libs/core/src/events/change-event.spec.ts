import { compareStreamIds, decodeEntry, isAfter, parseEventId } from './change-event';

describe('change events', () => {
  it('parses event ids and bare stream ids, and refuses anything else', () => {
    expect(parseEventId('1700000000000-3.7')).toEqual({ entryId: '1700000000000-3', index: 7 });
    expect(parseEventId('1700000000000-3')).toEqual({
      entryId: '1700000000000-3',
      index: Number.MAX_SAFE_INTEGER,
    });
    for (const bad of [
      '',
      'yesterday',
      '17-3.x',
      '1-2-3',
      '-1-0',
      '1-0.1234567',
      `${'9'.repeat(17)}-0`,
    ]) {
      expect(parseEventId(bad)).toBeNull();
    }
  });

  it('orders stream ids numerically, not as text', () => {
    expect(compareStreamIds('999-0', '1000-0')).toBeLessThan(0);
    expect(compareStreamIds('1000-10', '1000-9')).toBeGreaterThan(0);
    expect(compareStreamIds('5-5', '5-5')).toBe(0);
  });

  it('expands a batch entry into events with resumable ids, skipping malformed items', () => {
    const events = decodeEntry({
      id: '1700000000000-0',
      body: JSON.stringify([
        { k: 'task', id: 'A', s: 'queued', ty: 'echo' },
        { k: 'bogus', id: 'B', s: 'queued' },
        { k: 'node', id: 'w1', s: 'alive' },
        'junk',
      ]),
    });
    expect(events).toEqual([
      {
        id: '1700000000000-0.0',
        kind: 'task',
        subject: 'A',
        state: 'queued',
        type: 'echo',
        at: 1700000000000,
      },
      { id: '1700000000000-0.2', kind: 'node', subject: 'w1', state: 'alive', at: 1700000000000 },
    ]);
    expect(decodeEntry({ id: '1-0', body: 'not json' })).toEqual([]);
  });

  it('expands a group of ids into one event per id, each with its own place', () => {
    const events = decodeEntry({
      id: '1700000000000-0',
      body: JSON.stringify([
        { k: 'task', s: 'assigned', ty: 'echo', n: 'w1', ids: ['A', 'B'] },
        { k: 'node', id: 'w1', s: 'alive' },
        { k: 'task', s: 'queued', ids: ['C', 7, 'D'] },
      ]),
    });
    expect(events.map((e) => [e.id, e.subject, e.state, e.type, e.node])).toEqual([
      ['1700000000000-0.0', 'A', 'assigned', 'echo', 'w1'],
      ['1700000000000-0.1', 'B', 'assigned', 'echo', 'w1'],
      ['1700000000000-0.2', 'w1', 'alive', undefined, undefined],
      ['1700000000000-0.3', 'C', 'queued', undefined, undefined],
      ['1700000000000-0.5', 'D', 'queued', undefined, undefined],
    ]);
  });

  it('knows which events come after a cursor, inside and across entries', () => {
    const cursor = { entryId: '10-0', index: 1 };
    expect(isAfter(cursor, '10-0', 1)).toBe(false);
    expect(isAfter(cursor, '10-0', 2)).toBe(true);
    expect(isAfter(cursor, '9-5', 9)).toBe(false);
    expect(isAfter(cursor, '10-1', 0)).toBe(true);
  });
});
