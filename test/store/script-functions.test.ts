import { configureScripts, DEFAULT_EVENTS_MAX_LEN, functionLibrary } from '@switchyard/core';
import { Redis } from 'ioredis';
import { OwnRedis } from '../support/redis-server';
import { StoreFixture } from '../support/store-fixture';
import { waitFor } from '../support/wait-for';

/** Calls per command since the last CONFIG RESETSTAT (own server only). */
async function callsOf(admin: Redis, command: string): Promise<number> {
  const stat = `cmdstat_${command.replace('|', '\\|')}:calls=(\\d+)`;
  const m = new RegExp(stat).exec(await admin.info('commandstats'));
  return m ? Number(m[1]) : 0;
}

/** A task through submit → assign → finish; the outcome of each step. */
async function roundTrip(f: StoreFixture, lease: string): Promise<string[]> {
  const inc = await f.nodes.register(f.registration('n1'));
  const [submitted] = await f.tasks.submit([f.spec()]);
  const [assigned] = await f.tasks.assign(lease, [
    { taskId: submitted.id, nodeId: 'n1', incarnation: inc },
  ]);
  if (!assigned.ok) return [submitted.state, assigned.reason];
  const [finished] = await f.tasks.finish('n1', inc, [
    {
      taskId: submitted.id,
      lease: assigned.lease,
      startedAt: Date.now(),
      resultJson: '{"ok":true}',
      retry: { backoff: 'fixed', baseMs: 1000, capMs: 1000, jitter: 0 },
      random: 0,
    },
  ]);
  return [submitted.state, 'assigned', finished, (await f.tasks.get(submitted.id)).state];
}

const DONE = ['queued', 'assigned', 'succeeded', 'succeeded'];

describe('the scripts as a Redis Functions library', () => {
  let own: OwnRedis;
  let admin: Redis;

  beforeAll(async () => {
    own = await OwnRedis.start();
    admin = new Redis(own.url, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await admin?.quit();
    await own?.destroy();
  });

  it('loads the library when the server lacks it: first use, after FUNCTION FLUSH, after a restart', async () => {
    const f = new StoreFixture(own.url);
    try {
      const lease = (await f.leader.acquire('me', 60_000)) as string;
      await admin.config('RESETSTAT');
      expect(await roundTrip(f, lease)).toEqual(DONE);
      expect(
        await admin.call('FUNCTION', 'LIST', 'LIBRARYNAME', functionLibrary().name),
      ).toHaveLength(1);
      expect(await callsOf(admin, 'evalsha')).toBe(0);
      // register, submit, assign, finish
      expect(await callsOf(admin, 'fcall')).toBe(4);

      await admin.call('FUNCTION', 'FLUSH');
      expect(await roundTrip(f, lease)).toEqual(DONE);

      // no persistence: the restarted server has neither the library nor the data
      await own.restart();
      await waitFor(
        () => f.redis.ping().catch(() => 'down'),
        (pong) => pong === 'PONG',
        { what: 'the fixture reconnected' },
      );
      const again = (await f.leader.acquire('me', 60_000)) as string;
      expect(await roundTrip(f, again)).toEqual(DONE);
      expect(await callsOf(admin, 'evalsha')).toBe(0);
    } finally {
      await f.close();
    }
  });

  it('loads it once for calls that find it missing together', async () => {
    const f = new StoreFixture(own.url);
    try {
      await f.tasks.submit([f.spec()]);
      await admin.call('FUNCTION', 'FLUSH');
      await admin.config('RESETSTAT');
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () => f.tasks.submit([f.spec()])),
      );
      expect(outcomes.map(([o]) => o.state)).toEqual(Array(8).fill('queued'));
      expect(await callsOf(admin, 'function|load')).toBe(1);
    } finally {
      await f.close();
    }
  });

  it('names the library after its code: other settings, another library', () => {
    const name = functionLibrary().name;
    try {
      configureScripts({ eventsMaxLen: DEFAULT_EVENTS_MAX_LEN + 1 });
      expect(functionLibrary().name).not.toBe(name);
      expect(functionLibrary().code).toContain(
        `local EVENTS_MAXLEN = ${DEFAULT_EVENTS_MAX_LEN + 1}`,
      );
    } finally {
      configureScripts({ eventsMaxLen: DEFAULT_EVENTS_MAX_LEN });
    }
    expect(functionLibrary().name).toBe(name);
  });

  it.each(['fcall', 'function|load'])(
    'runs the same scripts with EVALSHA when the ACL refuses %s',
    async (refused) => {
      const user = `no-${refused.replace('|', '-')}`;
      await admin.call(
        'ACL',
        'SETUSER',
        user,
        'reset',
        'on',
        '>pw',
        '~*',
        '&*',
        '+@all',
        `-${refused}`,
      );
      await admin.call('FUNCTION', 'FLUSH');
      await admin.call('ACL', 'LOG', 'RESET');
      await admin.config('RESETSTAT');
      const f = new StoreFixture(`redis://${user}:pw@127.0.0.1:${own.port}`);
      try {
        const lease = (await f.leader.acquire('me', 60_000)) as string;
        expect(await roundTrip(f, lease)).toEqual(DONE);
        expect(await roundTrip(f, lease)).toEqual(DONE);
        // the lease, then two round trips: EVAL on a script's first NOSCRIPT, else EVALSHA
        expect((await callsOf(admin, 'evalsha')) + (await callsOf(admin, 'eval'))).toBe(9);
        // with FCALL allowed, the first one finds no function and its FUNCTION LOAD is refused
        expect(await callsOf(admin, 'fcall')).toBe(refused === 'fcall' ? 0 : 1);
        // refused once, on the first call; then the connection stays with EVALSHA
        const log = (await admin.call('ACL', 'LOG')) as unknown[][];
        expect(log.map((entry) => entry[entry.indexOf('object') + 1])).toEqual([refused]);
      } finally {
        await f.close();
        await admin.call('ACL', 'DELUSER', user);
      }
    },
  );
});
