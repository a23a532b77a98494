import { decodeTaskHeader } from '@switchyard/core';
import { StoreFixture, useLeadingFixture } from '../support/store-fixture';

/**
 * read-heads sends a small record whole and a large one as its header line (read-heads.lua,
 * WHOLE_HEAD_MAX); either way the leader's head carries the header alone, never the payload.
 */
describe('read-heads records (real Redis)', () => {
  let f: StoreFixture;
  useLeadingFixture((fixture) => {
    f = fixture;
  });

  it('decodes the header line of small and large records, cold fields included', async () => {
    const specs = [
      f.spec({ payload: { hello: 'world', list: [] } }),
      f.spec({ payload: { pad: 'x'.repeat(3000) } }),
      f.spec({
        payload: { hello: 'cold' },
        requirements: { slots: 2, cpu: 0, memoryMb: 0, labels: { zone: 'a' } },
      }),
    ];
    const ids = (await f.tasks.submit(specs)).map((o) => o.id);
    const read = await f.tasks.readHeads(new Map([['echo', 10]]), {
      maxPromotions: 10,
      maxTypes: 10,
    });
    expect(read.heads.map((h) => h.id).sort()).toEqual([...ids].sort());
    for (const head of read.heads) {
      const raw = (await f.redis.get(f.keys.task(head.id))) as string;
      expect(head.header).toEqual(decodeTaskHeader(raw.slice(0, raw.indexOf('\n'))));
      expect(head.header).not.toHaveProperty('hello');
      expect(head.header).not.toHaveProperty('pad');
      expect(head.header.s).toBe('queued');
    }
  });
});
