import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig, SwitchyardClient } from '@switchyard/core';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { ClusterState, SwitchyardDispatcherModule } from '@switchyard/dispatcher';
import { AppProcess, WORKER_MAIN } from '../../test/support/app-process';
import { SHARED_REDIS_URL } from '../../test/support/redis-server';
import { FAST_TIMINGS } from '../../test/support/test-cluster';
import { waitFor } from '../../test/support/wait-for';
import { CheapestZoneModule } from './cheapest-zone.module';

describe('examples/custom-strategy: cheapest-zone in an embedded dispatcher', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const env = { ...FAST_TIMINGS, REDIS_URL: SHARED_REDIS_URL, SWITCHYARD_PREFIX: prefix };
  let app: INestApplication;
  let client: SwitchyardClient;
  const workers: AppProcess[] = [];

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        SwitchyardDispatcherModule.forRootAsync({
          useFactory: () => loadConfig({ ...env, DEFAULT_STRATEGY: 'cheapest-zone' }),
        }),
        CheapestZoneModule,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const zones = { 'od-1': 'on-demand', 'spot-1': 'spot', 'od-2': 'on-demand' };
    for (const [id, zone] of Object.entries(zones)) {
      workers.push(
        await AppProcess.start(id, WORKER_MAIN, {
          ...env,
          NODE_ID: id,
          PORT: '0',
          WORKER_SLOTS: '64',
          WORKER_LABELS: `zone=${zone}`,
        }),
      );
    }
    // no bus in this app: the leader's picture catches up on its own resync
    await waitFor(
      () => app.get(ClusterState).current(),
      (snapshot) => snapshot.nodes.size === 3,
      { what: 'the leader to see three nodes' },
    );
    client = new SwitchyardClient(loadConfig(env));
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await Promise.all(workers.map((w) => w.stop('SIGTERM')));
    await app?.close();
    const redis = new Redis(SHARED_REDIS_URL);
    const keys = await redis.keys(`{${prefix}}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }, 60_000);

  it('runs every task in the spot zone while it has room', async () => {
    const outcomes = await client.submitBatch(
      Array.from({ length: 20 }, (_, i) => ({ type: 'echo', payload: { i } })),
    );
    const views = await client.waitFor(
      outcomes.map((o) => o.id),
      { timeoutMs: 60_000 },
    );
    expect(views.every((v) => v.state === 'succeeded')).toBe(true);
    expect(new Set(views.map((v) => v.history[0].node))).toEqual(new Set(['spot-1']));
  });

  it('falls back to on-demand when the spot zone is full', async () => {
    // the leader frees the echo tasks' slots when it next reads the nodes (no bus in this app)
    await waitFor(
      () => app.get(ClusterState).current(),
      (snapshot) => snapshot.nodes.get('spot-1')?.used.slots === 0,
      { what: 'the leader to see spot-1 idle' },
    );
    const filler = await client.submit({
      type: 'sleep',
      payload: { ms: 120_000 },
      requirements: { slots: 64 },
    });
    const held = await waitFor(
      () => client.get(filler.id),
      (v) => v.state === 'running',
      { what: 'the filler to run' },
    );
    expect(held.node).toBe('spot-1');
    const [view] = await client.waitFor([(await client.submit({ type: 'echo', payload: 1 })).id]);
    expect(view.history[0].node).toMatch(/^od-/);
    await client.cancel(filler.id);
  });
});
