import type { HeadsSnapshot, QueueHead } from '@switchyard/core';
import { PassFlight, readAheadLimits } from './pass-flight';

function head(id: string, type = 'echo', slots = 1): QueueHead {
  return {
    type,
    id,
    header: { s: 'queued', ty: type, pr: 0, ma: 1, to: 1000, a: 0, l: 0, c: 1, sl: slots },
  };
}

function read(heads: QueueHead[], depths: Record<string, number> = {}): HeadsSnapshot {
  return {
    promoted: 0,
    nextDueAt: null,
    depths: new Map(Object.entries(depths)),
    heads,
    nodesVersion: 1,
    resolving: 0,
  };
}

const ids = (snapshot: HeadsSnapshot | undefined): string[] =>
  (snapshot?.heads ?? []).map((h) => h.id);

describe('a scheduling run with a read sent ahead', () => {
  it('drops from a read the tasks of a commit sent after it', async () => {
    const flight = new PassFlight();
    flight.sendAhead(Promise.resolve(read([head('a'), head('b'), head('c'), head('d')])));
    flight.sendCommit(['a', 'c'], Promise.resolve());
    expect(ids(await flight.take())).toEqual(['b', 'd']);
  });

  it('keeps the tasks of a commit sent before the read (the read saw it)', async () => {
    const flight = new PassFlight();
    flight.sendCommit(['a'], Promise.resolve());
    flight.sendAhead(Promise.resolve(read([head('a'), head('b')])));
    expect(ids(await flight.take())).toEqual(['a', 'b']);
  });

  it('has nothing to take when no read was sent ahead, or once it was taken', async () => {
    const flight = new PassFlight();
    expect(await flight.take()).toBeUndefined();
    flight.sendAhead(Promise.resolve(read([head('a')])));
    await flight.take();
    expect(flight.hasAhead).toBe(false);
    expect(await flight.take()).toBeUndefined();
  });

  it('rethrows a failed commit when it is settled, and only once', async () => {
    const flight = new PassFlight();
    flight.sendCommit(['a'], Promise.reject(new Error('NOTLEADER')));
    await expect(flight.settleCommit()).rejects.toThrow('NOTLEADER');
    await expect(flight.settleCommit()).resolves.toBeUndefined();
  });

  it('drains by waiting for the commit and dropping the read ahead, even a failed one', async () => {
    const flight = new PassFlight();
    let committed = false;
    flight.sendAhead(Promise.reject(new Error('connection lost')));
    flight.sendCommit(
      ['a'],
      new Promise<void>((resolve) =>
        setImmediate(() => {
          committed = true;
          resolve();
        }),
      ),
    );
    expect(await flight.drain()).toBeUndefined();
    expect(committed).toBe(true);
    expect(flight.hasAhead).toBe(false);
  });

  it('returns the failure of the commit it drained', async () => {
    const flight = new PassFlight();
    const failure = new Error('NOTLEADER');
    flight.sendCommit(['a'], Promise.reject(failure));
    expect(await flight.drain()).toBe(failure);
  });
});

describe('how far a read ahead reaches', () => {
  it('asks again for the heads it has plus up to a batch more', () => {
    const heads = [head('a'), head('b')];
    expect(readAheadLimits(read(heads, { echo: 100 }), new Map([['echo', 50]]), 10)).toEqual(
      new Map([['echo', 12]]),
    );
  });

  it('reaches no further than the queue or the free slots beyond these heads', () => {
    const heads = [head('a', 'echo', 2), head('b', 'echo', 2)];
    // 4 queued in all: the 2 it has and 2 more
    expect(readAheadLimits(read(heads, { echo: 4 }), new Map([['echo', 50]]), 10)).toEqual(
      new Map([['echo', 4]]),
    );
    // 9 free slots, 4 of them taken by these heads: at most 5 more heads (fewer if they are large)
    expect(readAheadLimits(read(heads, { echo: 100 }), new Map([['echo', 9]]), 10)).toEqual(
      new Map([['echo', 7]]),
    );
  });

  it('is not sent when this pass can take every free slot or every queued task', () => {
    const heads = [head('a'), head('b')];
    expect(readAheadLimits(read(heads, { echo: 100 }), new Map([['echo', 2]]), 10)).toBeUndefined();
    expect(readAheadLimits(read(heads, { echo: 2 }), new Map([['echo', 50]]), 10)).toBeUndefined();
  });

  it('is not sent after a read of more than a batch (the last commit took few of its heads)', () => {
    const heads = [head('a'), head('b'), head('c')];
    expect(readAheadLimits(read(heads, { echo: 100 }), new Map([['echo', 50]]), 2)).toBeUndefined();
  });
});
