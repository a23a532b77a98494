import { Redis } from 'ioredis';
import {
  ChannelNaming,
  checkBusMessage,
  loadConfig,
  Patterns,
  type TaskSchedulingStore,
  type TasksSubmittedMessage,
} from '@switchyard/core';
import type { DispatcherMetrics } from '../metrics/dispatcher-metrics';
import { firstCandidateStrategies, leadingLoop } from '../scheduling/leading-loop.fixture';
import { LoopWaker } from '../scheduling/loop-waker';
import { TaskSubmission } from './task-submission.service';
import { StoreFixture, useLeadingFixture } from '../../../../test/support/store-fixture';
import { waitFor } from '../../../../test/support/wait-for';

const strategies = firstCandidateStrategies;
const metrics = { tasksSubmitted: () => undefined } as unknown as DispatcherMetrics;

/**
 * A task submitted through the leading dispatcher itself (TaskSubmission, as POST /tasks does),
 * on real Redis: its own loop hears the submit at once, the lone task named, so the pass
 * decides it without reading the queues whether the tasks.submitted message comes or not,
 * and the message that follows asks for no second pass.
 */
describe('a lone task submitted through the leading dispatcher (real Redis)', () => {
  let f: StoreFixture;
  let lease: string;
  useLeadingFixture((fixture, value) => {
    f = fixture;
    lease = value;
  });

  let stop: (() => void) | undefined;
  let sub: Redis | undefined;
  afterEach(async () => {
    stop?.();
    await sub?.quit();
  });

  /** The leader's loop and waker, and a TaskSubmission on them; `bus`: the messages reach it. */
  async function start(bus: boolean) {
    const real = f.tasks.scheduling;
    const run = { reads: 0, commits: 0, committed: [] as string[], heard: 0 };
    const tasks = Object.create(real) as TaskSchedulingStore;
    tasks.readHeads = (...args) => {
      run.reads++;
      return real.readHeads(...args);
    };
    tasks.assignAndHint = async (...args) => {
      run.commits++;
      const out = await real.assignAndHint(...args);
      for (const r of out.results) if (r.ok) run.committed.push(r.taskId);
      return out;
    };
    // the fallback tick out of the way: passes come from announcements only
    const config = loadConfig({ SCHEDULER_TICK_MS: '60000', SWITCHYARD_PREFIX: f.keys.prefix });
    const { loop, cluster, standby } = leadingLoop({
      tasks,
      nodes: f.nodes,
      strategies,
      config,
      lease: () => lease,
    });
    stop = () => loop.onApplicationShutdown();
    const waker = new LoopWaker(loop, cluster, standby, config);
    const submission = new TaskSubmission(f.tasks.submission, waker, strategies, metrics, config);
    if (bus) {
      const channel = new ChannelNaming(f.keys.prefix).channel(Patterns.TasksSubmitted);
      sub = new Redis(f.redis.options);
      await sub.subscribe(channel);
      sub.on('message', (_c: string, raw: string) => {
        const verdict = checkBusMessage(Patterns.TasksSubmitted, raw, config.maxBusMessageBytes);
        if (!verdict.ok) return;
        waker.submitted((verdict.data as TasksSubmittedMessage).head);
        run.heard++;
      });
    }
    loop.onApplicationBootstrap();
    const idle = () =>
      waitFor(
        () => loop as unknown as { running: boolean; wakePending: boolean },
        (l) => !l.running && !l.wakePending,
        { what: 'the loop to stop' },
      );
    await idle();
    return { run, submission, idle };
  }

  it('assigns it without reading the queues when the bus message is lost', async () => {
    await f.nodes.register(f.registration('n1', 4));
    const { run, submission } = await start(false);
    const readsBefore = run.reads;
    const [{ id }] = await submission.submit([{ type: 'echo', payload: { n: 1 } }]);
    await waitFor(
      () => run.committed,
      (c) => c.length === 1,
      { what: 'the task committed' },
    );
    expect(run.committed).toEqual([id]);
    expect(run.reads).toBe(readsBefore);
  });

  it('takes the tasks.submitted message of its own submit as the same announcement', async () => {
    await f.nodes.register(f.registration('n1', 4));
    const { run, submission, idle } = await start(true);
    const [readsBefore, commitsBefore] = [run.reads, run.commits];
    const [{ id }] = await submission.submit([{ type: 'echo', payload: { n: 2 } }]);
    await waitFor(
      () => run,
      (r) => r.committed.length === 1 && r.heard === 1,
      { what: 'the task committed and its message heard' },
    );
    await idle();
    expect(run.committed).toEqual([id]);
    expect([run.reads - readsBefore, run.commits - commitsBefore]).toEqual([0, 1]);
  });
});
