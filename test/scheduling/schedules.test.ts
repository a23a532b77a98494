import { decodeTaskRecord } from '@switchyard/core';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

const JAN_2025 = Date.UTC(2025, 0, 1);
const JAN_2026 = Date.UTC(2026, 0, 1);

describe('recurring schedules with two dispatchers', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    // a generous misfire grace: however slow the failover, the new leader catches up every tick
    cluster = await TestCluster.start({
      dispatchers: 2,
      workers: 1,
      env: { SCHEDULE_MISFIRE_GRACE_MS: '60000' },
    });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  /** Every task a schedule created, as {tick, id}, read from Redis. */
  async function ticksOf(scheduleId: string): Promise<number[]> {
    const keys = await cluster.redis.keys(cluster.key('t:*'));
    const raws = keys.length === 0 ? [] : await cluster.redis.mget(...keys);
    return raws
      .filter((raw): raw is string => raw !== null)
      .map((raw) => decodeTaskRecord(raw).header.sch)
      .filter((sch) => sch?.i === scheduleId)
      .map((sch) => (sch as { t: number }).t)
      .sort((a, b) => a - b);
  }

  async function scheduleView(id: string): Promise<any> {
    return (await cluster.get('/schedules')).body.schedules.find((s: any) => s.id === id);
  }

  it('fires every tick exactly once, across a leader failover', async () => {
    const created = await cluster.post('/schedules', {
      name: 'pulse',
      everyMs: 300,
      task: { type: 'echo', payload: { pulse: true } },
    });
    expect(created.status).toBe(201);
    const s = created.body;
    expect(s).toMatchObject({
      everyMs: 300,
      missedTicks: 'skip',
      nextAt: s.createdAt + 300,
      fired: 0,
    });

    await waitFor(
      () => scheduleView(s.id),
      (v) => v.fired >= 5,
      { what: 'five ticks' },
    );
    const leader = await waitFor(
      () => cluster.dispatchers.find((d) => d.logsMatching(/leading with epoch/).length > 0),
      (d) => d !== undefined,
      { what: 'a leader' },
    );
    await leader!.stop('SIGKILL');
    const firedBefore = (await scheduleView(s.id)).fired;
    await waitFor(
      () => scheduleView(s.id),
      (v) => v.fired >= firedBefore + 5,
      { timeoutMs: 30_000, what: 'ticks after failover' },
    );

    const del = await cluster.request('DELETE', `/schedules/${s.id}`);
    expect(del.status).toBe(204);
    expect(await scheduleView(s.id)).toBeUndefined();

    const ticks = await ticksOf(s.id);
    expect(new Set(ticks).size).toBe(ticks.length);
    ticks.forEach((t) => expect((t - s.createdAt) % 300).toBe(0));
    // no tick was passed over: the new leader caught up within the misfire grace
    const steps = ticks.slice(1).map((t, i) => t - ticks[i]);
    expect(new Set(steps)).toEqual(new Set([300]));
    expect(ticks[0]).toBe(s.createdAt + 300);
  });

  it.each([
    ['skip', 0],
    ['run-once', 1],
  ])('handles ticks missed while down by policy %s', async (policy, expectedTasks) => {
    const created = await cluster.post('/schedules', {
      cron: '0 0 1 1 *',
      timeZone: 'UTC',
      missedTicks: policy,
      task: { type: 'echo', payload: { yearly: true } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    // as if every dispatcher had been down since the tick of 1 January 2025
    await cluster.redis.zadd(cluster.key('sc:due'), JAN_2025, id);
    const view = await waitFor(
      () => scheduleView(id),
      (v) => v.nextAt > Date.now(),
      { what: 'the schedule to move on' },
    );
    expect(view.fired).toBe(expectedTasks);
    const ticks = await ticksOf(id);
    expect(ticks).toEqual(expectedTasks === 1 ? [JAN_2026] : []);
  });

  it.each([
    ['neither cron nor everyMs', { task: { type: 'echo' } }, /exactly one of cron or everyMs/],
    [
      'both cron and everyMs',
      { cron: '* * * * *', everyMs: 1000, task: { type: 'echo' } },
      /exactly one of cron or everyMs/,
    ],
    [
      'a malformed cron',
      { cron: 'every day', task: { type: 'echo' } },
      /cron "every day" in time zone UTC is not valid/,
    ],
    [
      'an unknown time zone',
      { cron: '* * * * *', timeZone: 'Mars/Olympus', task: { type: 'echo' } },
      /is not valid/,
    ],
    [
      'too short an interval',
      { everyMs: 10, task: { type: 'echo' } },
      /everyMs must not be less than 100/,
    ],
    [
      'an unknown missed-tick policy',
      { everyMs: 1000, missedTicks: 'twice', task: { type: 'echo' } },
      /missedTicks/,
    ],
    [
      'a template with a delay',
      { everyMs: 1000, task: { type: 'echo', delayMs: 5 } },
      /property delayMs should not exist/,
    ],
    ['a null name', { name: null, everyMs: 1000, task: { type: 'echo' } }, /name must be/],
    ['a null time zone', { cron: '* * * * *', timeZone: null, task: { type: 'echo' } }, /timeZone/],
    ['a null interval', { everyMs: null, cron: '* * * * *', task: { type: 'echo' } }, /everyMs/],
    [
      'a null missed-tick policy',
      { everyMs: 1000, missedTicks: null, task: { type: 'echo' } },
      /missedTicks/,
    ],
    [
      'a template with an unknown strategy',
      { everyMs: 1000, task: { type: 'echo', strategy: 'nope' } },
      /strategy "nope" is not known/,
    ],
  ])('rejects %s and stores nothing', async (_what, body, message) => {
    const before = (await cluster.get('/schedules')).body.schedules.length;
    const res = await cluster.post('/schedules', body);
    expect(res.status).toBe(400);
    const said = res.body.message;
    expect(typeof said === 'string' ? said : JSON.stringify(said)).toMatch(message);
    expect((await cluster.get('/schedules')).body.schedules.length).toBe(before);
  });

  it('answers 404 when deleting an unknown schedule', async () => {
    expect((await cluster.request('DELETE', '/schedules/01M8D3ZHTN946B1AXM00FC59FA')).status).toBe(
      404,
    );
  });
});
