import { StoreFixture, useLeadingFixture } from '../support/store-fixture';

describe('read-heads with standby hints held (real Redis)', () => {
  let f: StoreFixture;
  useLeadingFixture((fixture) => {
    f = fixture;
  });

  async function queued(n: number): Promise<string[]> {
    const outcomes = await f.tasks.submit(Array.from({ length: n }, () => f.spec()));
    return outcomes.map((o) => o.id);
  }

  it('reads heads for now as they are, and heads ahead past the hints held', async () => {
    const ids = await queued(5);
    const held = new Set([ids[0], ids[1]]);
    const opts = { maxPromotions: 10, maxTypes: 10 };
    const both = await f.tasks.readHeads(new Map([['echo', 1]]), opts, Date.now(), {
      room: new Map([['echo', 2]]),
      skip: new Map([['echo', held]]),
    });
    expect(both.heads.map((h) => h.id)).toEqual([ids[0], ids[2], ids[3]]);
    // only ahead (no room now): the held ones are not read at all
    const ahead = await f.tasks.readHeads(new Map(), opts, Date.now(), {
      room: new Map([['echo', 5]]),
      skip: new Map([['echo', held]]),
    });
    expect(ahead.heads.map((h) => h.id)).toEqual(ids.slice(2));
  });
});
