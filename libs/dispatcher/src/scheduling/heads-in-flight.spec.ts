import type { QueueHead } from '@switchyard/core';
import { headsInFlight } from './heads-in-flight';

const head = (type: string, id: string): QueueHead =>
  ({ type, id, header: { ty: type } }) as unknown as QueueHead;
const decided = (...ids: string[]): Map<string, unknown> => new Map(ids.map((id) => [id, {}]));

describe('the heads a commit in flight takes', () => {
  const heads = [
    head('a', 'a1'),
    head('a', 'a2'),
    head('a', 'a3'),
    head('b', 'b1'),
    head('b', 'b2'),
  ];

  it("names each type's decided heads by count, first and last when they are its first ones", () => {
    expect(headsInFlight(heads, decided('a1', 'a2', 'b1'))).toEqual(
      new Map([
        ['a', { count: 2, first: 'a1', last: 'a2' }],
        ['b', { count: 1, first: 'b1', last: 'b1' }],
      ]),
    );
  });

  it('leaves out types with nothing decided', () => {
    expect(headsInFlight(heads, decided('b1', 'b2'))).toEqual(
      new Map([['b', { count: 2, first: 'b1', last: 'b2' }]]),
    );
  });

  it('gives up when a head was left queued before a decided one of its type', () => {
    expect(headsInFlight(heads, decided('a1', 'a3'))).toBeUndefined();
    expect(headsInFlight(heads, decided('a1', 'b2'))).toBeUndefined();
  });
});
