import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  loadConfig,
  NodeStore,
  Strategy,
  TaskStore,
  type AssignmentStrategy,
  type NodeCandidate,
} from '@switchyard/core';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { ClusterState, SwitchyardDispatcherModule, TaskSubmission } from '@switchyard/dispatcher';
import { AppProcess, WORKER_MAIN } from '../support/app-process';
import { SHARED_REDIS_URL } from '../support/redis-server';
import { FAST_TIMINGS } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

/** A user's strategy: always the candidate with the greatest node id. */
@Injectable()
@Strategy('last-by-id')
class LastByIdStrategy implements AssignmentStrategy {
  calls = 0;

  select(_task: unknown, candidates: readonly NodeCandidate[]): NodeCandidate | null {
    this.calls++;
    let best: NodeCandidate | null = null;
    for (const c of candidates) if (best === null || c.id > best.id) best = c;
    return best;
  }
}

/** The dispatcher module embedded in a test app, with a strategy provider it has never seen. */
describe('a custom strategy provider', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const env = { ...FAST_TIMINGS, REDIS_URL: SHARED_REDIS_URL, SWITCHYARD_PREFIX: prefix };
  let app: INestApplication;
  const workers: AppProcess[] = [];

  beforeAll(async () => {
    const config = loadConfig({ ...env, STRATEGY_BY_TYPE: '{"hash":"last-by-id"}' });
    const moduleRef = await Test.createTestingModule({
      imports: [SwitchyardDispatcherModule.forRoot(config)],
      providers: [LastByIdStrategy],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    // room for every task of this file on each node, so placement shows the strategy, not capacity
    for (const id of ['node-a', 'node-m', 'node-z']) {
      workers.push(
        await AppProcess.start(id, WORKER_MAIN, {
          ...env,
          NODE_ID: id,
          PORT: '0',
          WORKER_SLOTS: '64',
        }),
      );
    }
    const nodes = app.get(NodeStore);
    await waitFor(
      () => nodes.list(),
      (list) => list.filter((n) => n.status === 'alive').length === 3,
      { what: 'three workers' },
    );
    // the leader's picture of the nodes catches up on its own resync (no bus in this app)
    const cluster = app.get(ClusterState);
    await waitFor(
      () => cluster.current(),
      (snapshot) => snapshot.nodes.size === 3,
      { what: 'the leader to see three nodes' },
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGTERM')));
    await app?.close();
    const redis = new Redis(SHARED_REDIS_URL);
    const keys = await redis.keys(`{${prefix}}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }, 60_000);

  async function runToEnd(dtos: object[]): Promise<string[]> {
    const outcomes = await app.get(TaskSubmission).submit(dtos as never);
    const tasks = app.get(TaskStore);
    const views = await waitFor(
      () => tasks.getMany(outcomes.map((o) => o.id)),
      (vs) => vs.length === outcomes.length && vs.every((v) => v.state === 'succeeded'),
      { timeoutMs: 60_000, what: 'tasks to succeed' },
    );
    return views.map((v) => v.history[0].node);
  }

  it('is discovered at start and listed among the strategies', () => {
    expect(app.get(LastByIdStrategy)).toBeInstanceOf(LastByIdStrategy);
  });

  it('places tasks that name it', async () => {
    const before = app.get(LastByIdStrategy).calls;
    const nodes = await runToEnd(
      Array.from({ length: 6 }, (_, i) => ({ type: 'echo', payload: i, strategy: 'last-by-id' })),
    );
    expect(new Set(nodes)).toEqual(new Set(['node-z']));
    expect(app.get(LastByIdStrategy).calls - before).toBeGreaterThanOrEqual(6);
  });

  it('places tasks of a type mapped to it in STRATEGY_BY_TYPE', async () => {
    const nodes = await runToEnd(
      Array.from({ length: 6 }, (_, i) => ({
        type: 'hash',
        payload: { rounds: 1, input: `${i}` },
      })),
    );
    expect(new Set(nodes)).toEqual(new Set(['node-z']));
  });

  it('leaves other tasks to the default strategy', async () => {
    // least-loaded over three idle nodes with room: the batch spreads over more than one node
    const nodes = await runToEnd(
      Array.from({ length: 12 }, (_, i) => ({ type: 'echo', payload: i })),
    );
    expect(new Set(nodes).size).toBeGreaterThan(1);
  });
});
