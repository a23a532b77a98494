import { Redis } from 'ioredis';
import {
  ChannelNaming,
  checkBusMessage,
  loadConfig,
  Patterns,
  type TaskSchedulingStore,
  type TasksFinishedMessage,
  type TasksSubmittedMessage,
} from '@switchyard/core';
import { AssignmentLoop } from './assignment-loop';
import { LoopWaker } from './loop-waker';
import { firstCandidateStrategies, leadingLoop } from './leading-loop.fixture';
import {
  FIXED_RETRY as retry,
  StoreFixture,
  useLeadingFixture,
} from '../../../../test/support/store-fixture';
import { waitFor } from '../../../../test/support/wait-for';

const strategies = firstCandidateStrategies;

/**
 * The leader's pass for a lone submitted task on real Redis: the submit's message names the task
 * and an idle loop decides it with one script call, no read of the queues. What it must keep:
 * queue order (a task queued before it goes first) and what the skipped read would have done.
 */
describe('a pass for a lone submitted task (real Redis)', () => {
  let f: StoreFixture;
  let lease: string;
  useLeadingFixture((fixture, value) => {
    f = fixture;
    lease = value;
  });

  let loop: AssignmentLoop | undefined;
  let sub: Redis | undefined;
  afterEach(async () => {
    loop?.onApplicationShutdown();
    await sub?.quit();
  });

  /** The loop (ticks out of the way), fed the submit messages as the dispatcher's transport would. */
  async function startLoop() {
    const real = f.tasks.scheduling;
    const run = {
      reads: 0,
      committed: [] as string[],
      leases: new Map<string, number>(),
      /** Right after each finish message was handled: was a pass asked for, or deferred? */
      afterFinish: [] as { passAsked: boolean; deferred: boolean }[],
    };
    const tasks = Object.create(real) as TaskSchedulingStore;
    tasks.readHeads = (...args) => {
      run.reads++;
      return real.readHeads(...args);
    };
    tasks.assignAndHint = async (...args) => {
      const out = await real.assignAndHint(...args);
      for (const r of out.results) {
        if (!r.ok) continue;
        run.committed.push(r.taskId);
        run.leases.set(r.taskId, r.lease);
      }
      return out;
    };
    const config = loadConfig({ SCHEDULER_TICK_MS: '60000' });
    const wired = leadingLoop({ tasks, nodes: f.nodes, strategies, config, lease: () => lease });
    const { cluster, standby } = wired;
    const l = wired.loop;
    loop = l;
    const waker = new LoopWaker(l, cluster, standby, config);
    const naming = new ChannelNaming(f.keys.prefix);
    const channel = naming.channel(Patterns.TasksSubmitted);
    const finishedChannel = naming.channel(Patterns.TasksFinished);
    sub = new Redis(f.redis.options);
    await sub.subscribe(channel, finishedChannel);
    const state = l as unknown as { running: boolean; wakePending: boolean };
    sub.on('message', (c: string, raw: string) => {
      const pattern = c === channel ? Patterns.TasksSubmitted : Patterns.TasksFinished;
      const verdict = checkBusMessage(pattern, raw, config.maxBusMessageBytes);
      if (!verdict.ok) return;
      if (pattern === Patterns.TasksSubmitted) {
        waker.submitted((verdict.data as TasksSubmittedMessage).head);
        return;
      }
      // as BusEventsController does
      const data = verdict.data as TasksFinishedMessage;
      cluster.freed(data.node, data.freed);
      waker.finished(data);
      run.afterFinish.push({
        passAsked: state.running || state.wakePending,
        deferred: (waker as unknown as { deferred?: unknown }).deferred !== undefined,
      });
    });
    l.onApplicationBootstrap();
    await idle();
    return { run, channel, finishedChannel };
  }

  /** The worker's finish of a task the loop assigned to n1, announced as workers do. */
  async function finishOnN1(
    id: string,
    inc: number,
    run: { leases: Map<string, number> },
    on: string,
  ) {
    const report = {
      taskId: id,
      lease: run.leases.get(id)!,
      startedAt: Date.now(),
      resultJson: 'null',
      retry,
      random: 0,
    };
    await f.tasks.finish('n1', inc, [report], Date.now(), on);
  }

  /** Waits until the loop has committed one task. */
  const oneCommitted = (run: { committed: string[] }) =>
    waitFor(
      () => run.committed,
      (c) => c.length === 1,
      { what: 'the task committed' },
    );

  /** finishOnN1, then what the loop did right after hearing it. */
  async function finishHeard(
    id: string,
    inc: number,
    run: Awaited<ReturnType<typeof startLoop>>['run'],
    on: string,
  ) {
    await finishOnN1(id, inc, run, on);
    const [after] = await waitFor(
      () => run.afterFinish,
      (a) => a.length === 1,
      { what: 'the finish heard' },
    );
    return after;
  }

  /** Waits for the loop to stand still (no pass running or about to). */
  const idle = () =>
    waitFor(
      () => loop as unknown as { running: boolean; wakePending: boolean },
      (l) => !l.running && !l.wakePending,
      { what: 'the loop to stop' },
    );

  async function statesOf(ids: string[]): Promise<string[]> {
    return (await f.tasks.getMany(ids)).map((v) => v?.state ?? 'gone');
  }

  it('assigns a lone submitted task on an idle cluster without reading the queues', async () => {
    await f.nodes.register(f.registration('n1', 4));
    const { run, channel } = await startLoop();
    const readsBefore = run.reads;
    const [{ id }] = await f.tasks.submit([f.spec()], Date.now(), channel);
    await oneCommitted(run);
    expect(run.committed).toEqual([id]);
    expect(run.reads).toBe(readsBefore);
    expect(await statesOf([id])).toEqual(['assigned']);
  });

  it('assigns a task queued before the announced one first', async () => {
    await f.nodes.register(f.registration('n1', 1));
    const { run, channel } = await startLoop();
    // queued without a message: the loop does not know of it
    const [{ id: older }] = await f.tasks.submit([f.spec()], Date.now(), '');
    const [{ id: lone }] = await f.tasks.submit([f.spec()], Date.now(), channel);
    await waitFor(
      () => run.committed,
      (c) => c.length === 1,
      { what: 'a task committed' },
    );
    await idle();
    expect(run.committed).toEqual([older]);
    expect(await statesOf([older, lone])).toEqual(['assigned', 'queued']);
  });

  it('resolves the dependents of a finished task, which the skipped read would have found', async () => {
    const inc = await f.nodes.register(f.registration('n1', 4));
    const { run, channel } = await startLoop();
    // submitted, assigned and finished without a message: only a read of Redis finds them
    const [{ id: dep }] = await f.tasks.submit([f.spec()], Date.now(), '');
    const [{ id: dependent }] = await f.tasks.submit(
      [f.spec({ dependsOn: [dep] })],
      Date.now(),
      '',
    );
    const [assigned] = await f.tasks.assign(lease, [
      { taskId: dep, nodeId: 'n1', incarnation: inc },
    ]);
    if (!assigned.ok) throw new Error(`not assigned: ${assigned.reason}`);
    await f.tasks.finish('n1', inc, [
      {
        taskId: dep,
        lease: assigned.lease,
        startedAt: Date.now(),
        resultJson: 'null',
        retry,
        random: 0,
      },
    ]);
    expect(await statesOf([dependent])).toEqual(['blocked']);
    const [{ id: lone }] = await f.tasks.submit([f.spec()], Date.now(), channel);
    await waitFor(
      () => run.committed,
      (c) => c.includes(lone) && c.includes(dependent),
      { what: 'the lone task and the released dependent committed' },
    );
  });

  it('asks for no pass after a finish that leaves the cluster idle with no dependents waiting', async () => {
    const inc = await f.nodes.register(f.registration('n1', 4));
    const { run, channel, finishedChannel } = await startLoop();
    const [{ id }] = await f.tasks.submit([f.spec()], Date.now(), channel);
    await oneCommitted(run);
    await idle();
    const after = await finishHeard(id, inc, run, finishedChannel);
    expect(after).toEqual({ passAsked: false, deferred: false });
  });

  it('asks for a pass at once after a finish that leaves dependents waiting, and assigns them', async () => {
    const inc = await f.nodes.register(f.registration('n1', 4));
    const { run, channel, finishedChannel } = await startLoop();
    const [{ id }] = await f.tasks.submit([f.spec()], Date.now(), channel);
    await oneCommitted(run);
    const [{ id: dependent }] = await f.tasks.submit([f.spec({ dependsOn: [id] })], Date.now(), '');
    await idle();
    const after = await finishHeard(id, inc, run, finishedChannel);
    expect(after).toEqual({ passAsked: true, deferred: false });
    await waitFor(
      () => run.committed,
      (c) => c.includes(dependent),
      {
        what: 'the dependent committed',
      },
    );
  });
});
