import { decodeTaskHeader, LuaScripts } from '@switchyard/core';
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

  it('sends a record of up to 1,024 bytes whole and a larger one as its header line alone', async () => {
    const specs = [
      f.spec({ payload: { pad: 'x'.repeat(256) } }),
      f.spec({ payload: { pad: 'x'.repeat(3000) } }),
    ];
    const [small, large] = (await f.tasks.submit(specs)).map((o) => o.id);
    const raws = new Map<string, string>();
    for (const id of [small, large]) raws.set(id, (await f.redis.get(f.keys.task(id))) as string);
    expect(raws.get(small)!.length).toBeLessThanOrEqual(1024);
    expect(raws.get(large)!.length).toBeGreaterThan(1024);

    // the script's own reply (read-heads.lua): m = 1 type, 10 heads, none ahead, none in flight
    const reply = await new LuaScripts(f.redis, f.keys.base).run<unknown[]>('readHeads', [
      Date.now(),
      1000,
      10,
      10,
      1,
      'echo',
      10,
      0,
      0,
      '',
      '',
      0,
    ]);
    const heads = reply[3] as string[];
    const sent = new Map<string, string>();
    for (let i = 0; i < heads.length; i += 3) sent.set(heads[i + 1], heads[i + 2]);
    expect(sent.get(small)).toBe(raws.get(small));
    const largeRaw = raws.get(large)!;
    expect(sent.get(large)).toBe(largeRaw.slice(0, largeRaw.indexOf('\n')));
  });
});
