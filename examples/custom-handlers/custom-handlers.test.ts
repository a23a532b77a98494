import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  connectSwitchyardBus,
  SWITCHYARD_CONFIG,
  SwitchyardClient,
  TaskFailedError,
  type SwitchyardConfig,
} from '@switchyard/core';
import { TestCluster } from '../../test/support/test-cluster';
import { waitFor } from '../../test/support/wait-for';
import type { Thumbnail } from './thumbnail.handlers';
import type { ThumbnailPayload } from './thumbnail.payload';
import { WorkerAppModule } from './worker-app.module';

type Tasks = { 'thumbnail.render': { payload: ThumbnailPayload; result: Thumbnail } };

describe('examples/custom-handlers: a worker hosted in a Nest app', () => {
  let cluster: TestCluster;
  let app: INestApplication;
  let client: SwitchyardClient<Tasks>;
  const saved = { ...process.env };

  beforeAll(async () => {
    cluster = await TestCluster.start({ workers: 0 });
    // the app module reads its config from the environment, as a deployed app would
    Object.assign(process.env, cluster.env, {
      REDIS_URL: cluster.redisUrl,
      SWITCHYARD_PREFIX: cluster.prefix,
      NODE_ID: 'thumbs-1',
      PORT: '0',
      PROGRESS_INTERVAL_MS: '20',
      LOG_LEVEL: 'warn',
    });
    const moduleRef = await Test.createTestingModule({ imports: [WorkerAppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    // as apps/worker/src/main.ts: the bus server brings assignments and cancellations
    const config = app.get<SwitchyardConfig>(SWITCHYARD_CONFIG);
    connectSwitchyardBus(app, config, config.nodeId);
    await app.startAllMicroservices();
    await app.init();
    client = SwitchyardClient.fromEnv<Tasks>({
      ...cluster.env,
      REDIS_URL: cluster.redisUrl,
      SWITCHYARD_PREFIX: cluster.prefix,
    });
  });

  afterAll(async () => {
    process.env = saved;
    await client?.close();
    await app?.close();
    await cluster?.stop();
  });

  it('renders a thumbnail and keeps its last progress', async () => {
    const task = await client.submit('thumbnail.render', { image: 'cat.png', size: 200 });
    const running = await waitFor(
      () => client.get(task.id),
      (v) => v.progress !== undefined || v.state === 'succeeded',
      { what: 'progress or the end' },
    );
    expect(running.progress?.data).toEqual({ row: expect.any(Number) });
    const thumb = await client.waitForResult(task, { timeoutMs: 30_000 });
    expect(thumb).toMatchObject({ image: 'cat.png', size: 200 });
    expect(thumb.digest).toMatch(/^[0-9a-f]{64}$/);
    const view = await client.get(task.id);
    expect(view.history[0].node).toBe('thumbs-1');
    expect(view.progress?.percent).toBeGreaterThan(0);
    expect(view.progress?.percent).toBeLessThanOrEqual(100);
  });

  it('rejects an invalid payload on the worker, without retrying', async () => {
    const bad = { image: 'cat.png', size: 5 } as ThumbnailPayload;
    const task = await client.submit('thumbnail.render', bad, { maxAttempts: 3 });
    const err = (await client.waitForResult(task).catch((e: unknown) => e)) as TaskFailedError;
    expect(err).toBeInstanceOf(TaskFailedError);
    expect(err.task.error).toMatchObject({ code: 'invalid_payload', retryable: false });
    expect(err.task.error?.message).toContain('size must not be less than 16');
    expect(err.task.history).toHaveLength(1);
  });

  it('registered as a node of the cluster', async () => {
    const nodes = await waitFor(
      async () => (await cluster.get('/nodes')).body,
      (body) => JSON.stringify(body).includes('thumbs-1'),
      { what: 'thumbs-1 in GET /nodes' },
    );
    expect(JSON.stringify(nodes)).toContain('thumbnail.render');
  });
});
