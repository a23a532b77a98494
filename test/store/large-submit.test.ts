import { StoreFixture } from '../support/store-fixture';

/**
 * A batch submit large enough to go on the wire in pieces (script-command.ts) reaches Redis
 * intact: every record holds its payload as given, multi-byte characters included, and the
 * connection stays usable for the next command.
 */
describe('a large batch submit (written in pieces)', () => {
  let f: StoreFixture;
  beforeEach(() => {
    f = new StoreFixture();
  });
  afterEach(async () => {
    await f.close();
  });

  it('stores every task of a ~300k-character batch with its payload as given', async () => {
    const payloads = Array.from({ length: 500 }, (_, i) => ({
      n: i,
      text: `é中😀 "quoted" \\ back\nline ${'x'.repeat(i)}`,
    }));
    const chars = payloads.reduce((sum, p) => sum + JSON.stringify(p).length, 0);
    // well past WIRE_PIECES_MIN_CHARS (64k characters of arguments)
    expect(chars).toBeGreaterThan(128 * 1024);
    const outcomes = await f.tasks.submit(payloads.map((payload) => f.spec({ payload })));
    expect(outcomes.every((o) => o.created && o.state === 'queued')).toBe(true);
    const views = await Promise.all(outcomes.map((o) => f.tasks.get(o.id)));
    expect(views.map((v) => v?.payload)).toEqual(payloads);
    // the reply was read in step with the request: the connection answers the next command
    const [again] = await f.tasks.submit([f.spec({ payload: 'after' })]);
    expect((await f.tasks.get(again.id))?.payload).toBe('after');
  });
});
