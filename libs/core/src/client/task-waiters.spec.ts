import type { TaskState } from '../task/task-state';
import type { TaskView } from '../task/task.model';
import {
  READ_BATCH,
  READ_CHUNK,
  READ_LINGER_MS,
  READ_RETRY_MS,
  TaskWait,
  TaskWaiters,
} from './task-waiters';

const view = (id: string, state: TaskState = 'succeeded'): TaskView =>
  ({ id, state, payload: { id }, history: [] }) as unknown as TaskView;

/** A fake Redis read: records each call, answers with the states in `states`. */
function store(states: Record<string, TaskState>) {
  const reads: string[][] = [];
  let failWith: Error | undefined;
  return {
    reads,
    failNext: (err: Error) => (failWith = err),
    read: (ids: readonly string[]): Promise<TaskView[]> => {
      reads.push([...ids]);
      if (failWith !== undefined) {
        const err = failWith;
        failWith = undefined;
        return Promise.reject(err);
      }
      return Promise.resolve(ids.filter((id) => id in states).map((id) => view(id, states[id])));
    },
  };
}

/** A fake Redis read answered by the test: answers[i]() answers the i-th read (all succeeded). */
function answeredByHand() {
  const answers: (() => void)[] = [];
  const reads: string[][] = [];
  const read = (ids: readonly string[]): Promise<TaskView[]> => {
    reads.push([...ids]);
    return new Promise((resolve) =>
      answers.push(() => resolve(ids.map((id) => view(id, 'succeeded')))),
    );
  };
  return { answers, reads, read };
}

/** A wait whose settlement is observable. */
function waitOn(ids: string[]) {
  const outcome: { done: boolean; failure?: unknown } = { done: false };
  const wait = new TaskWait(ids, () => {
    outcome.done = true;
  });
  return { wait, outcome };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('the waits of a client', () => {
  // the linger timer moves only when a test says so; reads and turns run as they would
  beforeEach(() =>
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] }),
  );
  afterEach(() => jest.useRealTimers());

  it('reads the tasks named by every message of one turn together, once per task someone waits for', async () => {
    const redis = store({ a: 'succeeded', b: 'failed', c: 'cancelled' });
    const waiters = new TaskWaiters(redis.read);
    const { wait, outcome } = waitOn(['a', 'b', 'c']);
    waiters.add(wait);
    waiters.heard(['a', 'x']);
    waiters.heard(['b', 'c', 'y']);
    await turn();
    expect(redis.reads).toEqual([['a', 'b', 'c']]);
    expect(outcome).toEqual({ done: true, failure: undefined });
    expect(wait.result().map((v) => v.state)).toEqual(['succeeded', 'failed', 'cancelled']);
  });

  it('gives each view only to the wait for its task, and settles each wait when its own tasks are done', async () => {
    const redis = store({ a: 'succeeded', b: 'succeeded' });
    const waiters = new TaskWaiters(redis.read);
    const first = waitOn(['a']);
    const second = waitOn(['b', 'z']);
    waiters.add(first.wait);
    waiters.add(second.wait);
    waiters.heard(['a', 'b']);
    await turn();
    expect(first.outcome.done).toBe(true);
    expect(second.outcome.done).toBe(false);
    expect(second.wait.pendingIds()).toEqual(['z']);
  });

  it('believes the read, not the message: a task that is not terminal stays pending', async () => {
    const redis = store({ a: 'running' });
    const waiters = new TaskWaiters(redis.read);
    const { wait, outcome } = waitOn(['a']);
    waiters.add(wait);
    waiters.heard(['a']);
    await turn();
    expect(outcome.done).toBe(false);
    expect(wait.pendingCount).toBe(1);
  });

  it('gives two waits for one task equal views of their own', async () => {
    const redis = store({ a: 'succeeded' });
    const waiters = new TaskWaiters(redis.read);
    const one = waitOn(['a']);
    const two = waitOn(['a', 'a']);
    waiters.add(one.wait);
    waiters.add(two.wait);
    waiters.heard(['a']);
    await turn();
    expect(one.outcome.done && two.outcome.done).toBe(true);
    const [mine] = one.wait.result();
    const [theirs, again] = two.wait.result();
    expect(theirs).toEqual(mine);
    expect(theirs).not.toBe(mine);
    expect(again).toBe(theirs);
  });

  it('reads again after a failed read: the wait settles once Redis answers and keeps the error', async () => {
    const redis = store({ a: 'succeeded', b: 'succeeded' });
    const waiters = new TaskWaiters(redis.read);
    const hit = waitOn(['a']);
    const spared = waitOn(['b']);
    waiters.add(hit.wait);
    waiters.add(spared.wait);
    redis.failNext(new Error('connection lost'));
    waiters.heard(['a']);
    await turn();
    expect(hit.outcome.done).toBe(false);
    expect(hit.wait.lastReadError).toEqual(new Error('connection lost'));
    expect(spared.wait.lastReadError).toBeUndefined();
    jest.advanceTimersByTime(READ_RETRY_MS - 1);
    await turn();
    expect(redis.reads).toEqual([['a']]);
    jest.advanceTimersByTime(1);
    await turn();
    expect(redis.reads).toEqual([['a'], ['a']]);
    expect(hit.outcome).toEqual({ done: true, failure: undefined });
    expect(spared.outcome.done).toBe(false);
  });

  it('does not read again for a wait that was removed meanwhile (its timeout)', async () => {
    const redis = store({ a: 'succeeded' });
    const waiters = new TaskWaiters(redis.read);
    const gone = waitOn(['a']);
    waiters.add(gone.wait);
    redis.failNext(new Error('connection lost'));
    waiters.heard(['a']);
    await turn();
    waiters.remove(gone.wait);
    jest.advanceTimersByTime(READ_RETRY_MS);
    await turn();
    expect(redis.reads).toEqual([['a']]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it("reads a wait's tasks once it has heard of all it still waits for, not as each message names one", async () => {
    const redis = store({ a: 'succeeded', b: 'succeeded', c: 'succeeded' });
    const waiters = new TaskWaiters(redis.read);
    const { wait, outcome } = waitOn(['a', 'b', 'c']);
    waiters.add(wait);
    waiters.heard(['a']);
    await turn();
    waiters.heard(['b', 'x']);
    await turn();
    expect(redis.reads).toEqual([]);
    waiters.heard(['c']);
    await turn();
    expect(redis.reads).toEqual([['a', 'b', 'c']]);
    expect(outcome).toEqual({ done: true, failure: undefined });
  });

  it('reads once READ_BATCH heard ids are waiting, though no wait could settle yet', async () => {
    const ids = Array.from({ length: READ_BATCH + 1 }, (_, i) => `t${i}`);
    const redis = store(Object.fromEntries(ids.map((id) => [id, 'succeeded' as TaskState])));
    const waiters = new TaskWaiters(redis.read);
    const { wait, outcome } = waitOn(ids);
    waiters.add(wait);
    waiters.heard(ids.slice(0, READ_BATCH - 1));
    await turn();
    expect(redis.reads).toEqual([]);
    waiters.heard([ids[READ_BATCH - 1]]);
    await turn();
    expect(redis.reads.map((r) => r.length)).toEqual([READ_BATCH]);
    expect(wait.pendingIds()).toEqual([ids[READ_BATCH]]);
    waiters.heard([ids[READ_BATCH]]);
    await turn();
    expect(redis.reads.map((r) => r.length)).toEqual([READ_BATCH, 1]);
    expect(outcome.done).toBe(true);
  });

  it('reads a heard id READ_LINGER_MS after it was heard at the latest', async () => {
    const redis = store({ a: 'succeeded', b: 'succeeded' });
    const waiters = new TaskWaiters(redis.read);
    const { wait } = waitOn(['a', 'b']);
    waiters.add(wait);
    waiters.heard(['a']);
    await turn();
    jest.advanceTimersByTime(READ_LINGER_MS - 1);
    await turn();
    expect(redis.reads).toEqual([]);
    jest.advanceTimersByTime(1);
    await turn();
    expect(redis.reads).toEqual([['a']]);
    expect(wait.pendingIds()).toEqual(['b']);
  });

  it('reads nothing more once closed: the linger timer goes with the ids it held', async () => {
    const redis = store({ a: 'succeeded', b: 'succeeded' });
    const waiters = new TaskWaiters(redis.read);
    waiters.add(waitOn(['a', 'b']).wait);
    waiters.heard(['a']);
    await turn();
    expect(jest.getTimerCount()).toBe(1);
    waiters.close();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(READ_LINGER_MS);
    await turn();
    expect(redis.reads).toEqual([]);
  });

  it('sends a read that could settle a wait at once, and a batch once the reads in flight answer', async () => {
    const { answers, reads, read } = answeredByHand();
    const waiters = new TaskWaiters(read);
    const first = waitOn(['a']);
    const second = waitOn(['b']);
    const many = Array.from({ length: READ_BATCH + 1 }, (_, i) => `t${i}`);
    const third = waitOn(many);
    waiters.add(first.wait);
    waiters.add(second.wait);
    waiters.add(third.wait);
    waiters.heard(['a']);
    await turn();
    waiters.heard(['b']);
    await turn();
    expect(reads).toEqual([['a'], ['b']]);
    waiters.heard(many.slice(0, READ_BATCH));
    await turn();
    expect(reads).toHaveLength(2);
    answers[0]();
    await turn();
    expect(reads).toHaveLength(2);
    answers[1]();
    await turn();
    expect(first.outcome.done && second.outcome.done).toBe(true);
    expect(reads.map((r) => r.length)).toEqual([1, 1, READ_BATCH]);
    answers[2]();
    await turn();
    expect(third.wait.pendingIds()).toEqual([many[READ_BATCH]]);
  });

  it('reads the rest of a wait that took, from a read for another wait, a view it had not heard of', async () => {
    const { answers, reads, read } = answeredByHand();
    const waiters = new TaskWaiters(read);
    const first = waitOn(['a']);
    waiters.add(first.wait);
    waiters.heard(['a']);
    await turn();
    const second = waitOn(['a', 'b']);
    waiters.add(second.wait);
    waiters.heard(['b']);
    await turn();
    answers[0]();
    await turn();
    expect(reads).toEqual([['a'], ['b']]);
    answers[1]();
    await turn();
    expect(second.outcome).toEqual({ done: true, failure: undefined });
    expect(second.wait.result().map((v) => v.id)).toEqual(['a', 'b']);
  });

  it('a recheck reads every task still waited for, heard or not', async () => {
    const redis = store({ a: 'succeeded', b: 'succeeded' });
    const waiters = new TaskWaiters(redis.read);
    const { wait, outcome } = waitOn(['a', 'b']);
    waiters.add(wait);
    waiters.heard(['a']);
    await waiters.recheck(wait);
    expect(redis.reads).toEqual([['a', 'b']]);
    expect(outcome).toEqual({ done: true, failure: undefined });
  });

  it('goes on reading after a failed read', async () => {
    const redis = store({ a: 'succeeded', b: 'succeeded' });
    const waiters = new TaskWaiters(redis.read);
    const hit = waitOn(['a']);
    const next = waitOn(['b']);
    waiters.add(hit.wait);
    waiters.add(next.wait);
    redis.failNext(new Error('connection lost'));
    waiters.heard(['a']);
    waiters.heard(['b']);
    await turn();
    expect(hit.outcome.done || next.outcome.done).toBe(false);
    const later = waitOn(['b']);
    waiters.add(later.wait);
    waiters.heard(['b']);
    await turn();
    expect(later.outcome).toEqual({ done: true, failure: undefined });
    expect(next.outcome).toEqual({ done: true, failure: undefined });
    jest.advanceTimersByTime(READ_RETRY_MS);
    await turn();
    expect(hit.outcome).toEqual({ done: true, failure: undefined });
  });

  it('reads at most READ_CHUNK ids at a time, and nothing for a wait that was removed', async () => {
    const ids = Array.from({ length: READ_CHUNK + 5 }, (_, i) => `t${i}`);
    const redis = store(Object.fromEntries(ids.map((id) => [id, 'succeeded' as TaskState])));
    const waiters = new TaskWaiters(redis.read);
    const { wait, outcome } = waitOn(ids);
    waiters.add(wait);
    waiters.heard(ids);
    await turn();
    expect(redis.reads.map((r) => r.length)).toEqual([READ_CHUNK, 5]);
    expect(outcome.done).toBe(true);

    const gone = waitOn(['late']);
    waiters.add(gone.wait);
    waiters.remove(gone.wait);
    waiters.heard(['late']);
    await turn();
    expect(redis.reads).toHaveLength(2);
  });
});
