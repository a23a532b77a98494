import type {
  FinishReport,
  StartReport,
  SwitchyardConfig,
  TaskReportStore,
} from '@switchyard/core';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import type { NodeSession } from './node-session';
import { ReportBatcher, type Finished } from './report-batcher';

const LINGER_MS = 5;
const RETRY = { backoff: 'exponential', baseMs: 100, capMs: 1000, jitter: 0.2 } as const;

const result = (taskId: string): Finished => ({
  type: 'echo',
  report: {
    taskId,
    lease: 1,
    startedAt: 0,
    resultJson: 'null',
    error: undefined,
    retry: RETRY as unknown as FinishReport['retry'],
    random: 0,
  },
});

/** A write the test answers itself: `settle` resolves it, `fail` rejects it. */
interface HeldWrite {
  ids: string[];
  settle: () => void;
  fail: () => void;
}

describe('report batching', () => {
  let writes: string[][];
  let startWrites: string[][];
  let failNextWrite: boolean;
  /** When set, writes wait here until the test answers them. */
  let held: HeldWrite[] | undefined;
  let batcher: ReportBatcher;

  const make = (writesInFlight: number): ReportBatcher =>
    new ReportBatcher(
      {
        finishAndRefill: jest.fn(
          (_node: string, _inc: number, reports: readonly FinishReport[]) => {
            const ids = reports.map((r) => r.taskId);
            writes.push(ids);
            const reply = { outcomes: reports.map(() => 'succeeded'), assigned: [] };
            if (held !== undefined) {
              const queue = held;
              return new Promise((resolve, reject) => {
                queue.push({
                  ids,
                  settle: () => resolve(reply),
                  fail: () => reject(new Error('connection lost')),
                });
              });
            }
            if (failNextWrite) {
              failNextWrite = false;
              return Promise.reject(new Error('connection lost'));
            }
            return Promise.resolve(reply);
          },
        ),
        start: jest.fn((_node: string, _inc: number, reports: readonly StartReport[]) => {
          startWrites.push(reports.map((r) => r.taskId));
          return Promise.resolve(reports.map(() => 'running'));
        }),
      } as unknown as TaskReportStore,
      { nodeId: 'n1', incarnation: 1 } as NodeSession,
      { recorded: jest.fn() } as unknown as WorkerMetrics,
      {
        prefix: 'sy',
        reportLingerMs: LINGER_MS,
        reportWritesInFlight: writesInFlight,
      } as SwitchyardConfig,
    );

  beforeEach(() => {
    jest.useFakeTimers();
    writes = [];
    startWrites = [];
    failNextWrite = false;
    held = undefined;
    batcher = make(1);
  });

  afterEach(() => {
    batcher.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('writes the results of the tasks that end in one turn together, without a linger', async () => {
    batcher.finished(result('a'), true);
    batcher.finished(result('b'), true);
    expect(writes).toEqual([]);
    batcher.finished(result('c'), false); // the last one running: no other result can join
    expect(writes).toEqual([['a', 'b', 'c']]);
    await jest.advanceTimersByTimeAsync(LINGER_MS * 2);
    expect(writes).toEqual([['a', 'b', 'c']]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it("writes an idle node's result in the call that reports it", () => {
    batcher.finished(result('a'), false);
    expect(writes).toEqual([['a']]);
  });

  it('waits up to the linger for the tasks still running, and no longer', async () => {
    batcher.finished(result('a'), true);
    await jest.advanceTimersByTimeAsync(LINGER_MS - 1);
    expect(writes).toEqual([]);
    batcher.finished(result('b'), true);
    await jest.advanceTimersByTimeAsync(1);
    expect(writes).toEqual([['a', 'b']]);
  });

  it("cuts the linger short when the last running task's result comes", async () => {
    batcher.finished(result('a'), true);
    await jest.advanceTimersByTimeAsync(1);
    expect(writes).toEqual([]);
    batcher.finished(result('b'), false);
    await jest.advanceTimersToNextTimerAsync();
    expect(writes).toEqual([['a', 'b']]);
  });

  it('draws the jitter when it writes a report', async () => {
    const entry = result('a');
    entry.report.random = 2; // out of range: must be replaced
    batcher.finished(entry, false);
    await jest.advanceTimersToNextTimerAsync();
    expect(entry.report.random).toBeGreaterThanOrEqual(0);
    expect(entry.report.random).toBeLessThan(1);
    expect(writes).toEqual([['a']]);
  });

  it('holds a result as reported until it is written, across a failed write', async () => {
    failNextWrite = true;
    batcher.finished(result('a'), false); // written at once, and failed
    expect(writes).toEqual([['a']]);
    await jest.advanceTimersByTimeAsync(0);
    expect(batcher.has('a')).toBe(true);
    await jest.advanceTimersToNextTimerAsync(); // the retry
    expect(writes).toEqual([['a'], ['a']]);
    expect(batcher.has('a')).toBe(false);
  });

  describe('start reports', () => {
    const start = (taskId: string): void =>
      batcher.started({ taskId, lease: 1, startedAt: Date.now() });

    it('writes a start once its task has run 50 ms, with the starts at least 25 ms old', async () => {
      start('a'); // t = 0
      await jest.advanceTimersByTimeAsync(20);
      start('b'); // t = 20
      await jest.advanceTimersByTimeAsync(20);
      start('c'); // t = 40
      await jest.advanceTimersByTimeAsync(9);
      expect(startWrites).toEqual([]);
      await jest.advanceTimersByTimeAsync(1); // t = 50: a is due, b (30 ms) goes with it
      expect(startWrites).toEqual([['a', 'b']]);
      await jest.advanceTimersByTimeAsync(39);
      expect(startWrites).toEqual([['a', 'b']]);
      await jest.advanceTimersByTimeAsync(1); // t = 90: c is due
      expect(startWrites).toEqual([['a', 'b'], ['c']]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('never writes the start of a task that ends within 25 ms, even at a due write', async () => {
      start('a'); // t = 0
      await jest.advanceTimersByTimeAsync(40);
      start('b'); // t = 40
      await jest.advanceTimersByTimeAsync(10); // t = 50: a is due; b is 10 ms old
      expect(startWrites).toEqual([['a']]);
      await jest.advanceTimersByTimeAsync(10);
      batcher.finished(result('b'), true); // b ended at 20 ms: its finish carries the start
      await jest.advanceTimersByTimeAsync(200);
      expect(startWrites).toEqual([['a']]);
      expect(writes).toEqual([['b']]);
    });

    it('writes no start of a task that finishes before its start is due', async () => {
      start('a');
      await jest.advanceTimersByTimeAsync(30);
      batcher.finished(result('a'), false);
      await jest.advanceTimersByTimeAsync(200);
      expect(startWrites).toEqual([]);
      expect(writes).toEqual([['a']]);
    });
  });

  describe('with two writes in flight', () => {
    beforeEach(() => {
      batcher.onApplicationShutdown();
      held = [];
      batcher = make(2);
    });

    const answer = async (write: HeldWrite | undefined, ok: boolean): Promise<void> => {
      if (write === undefined) throw new Error('no write is in flight');
      if (ok) write.settle();
      else write.fail();
      await jest.advanceTimersByTimeAsync(0);
    };

    it('sends a second batch while the first is in flight, and queues a third', async () => {
      batcher.finished(result('a'), false);
      batcher.finished(result('b'), false); // a write in flight: b waits for the end of the turn
      expect(writes).toEqual([['a']]);
      await jest.advanceTimersToNextTimerAsync();
      expect(writes).toEqual([['a'], ['b']]);
      batcher.finished(result('c'), false);
      batcher.finished(result('d'), false);
      await jest.advanceTimersByTimeAsync(LINGER_MS * 2);
      expect(writes).toEqual([['a'], ['b']]); // both slots taken: c and d wait
      await answer(held?.[0], true);
      expect(writes).toEqual([['a'], ['b'], ['c', 'd']]);
      expect(batcher.has('a')).toBe(false);
      expect(batcher.has('b')).toBe(true);
      expect(batcher.has('c')).toBe(true);
      await answer(held?.[1], true);
      await answer(held?.[2], true);
      expect(['a', 'b', 'c', 'd'].some((id) => batcher.has(id))).toBe(false);
    });

    it('retries both batches when both writes fail, each result until it is written', async () => {
      batcher.finished(result('a'), false);
      await jest.advanceTimersToNextTimerAsync();
      batcher.finished(result('b'), false);
      await jest.advanceTimersToNextTimerAsync();
      await answer(held?.[0], false);
      await answer(held?.[1], false);
      expect(batcher.has('a')).toBe(true);
      expect(batcher.has('b')).toBe(true);
      expect(writes).toEqual([['a'], ['b']]); // nothing before the retry delay
      await jest.advanceTimersToNextTimerAsync(); // one retry, both batches in it
      expect(writes).toEqual([['a'], ['b'], ['b', 'a']]);
      await answer(held?.[2], true);
      expect(batcher.has('a') || batcher.has('b')).toBe(false);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('keeps a failed batch through the retry while the other write succeeds', async () => {
      batcher.finished(result('a'), false);
      await jest.advanceTimersToNextTimerAsync();
      batcher.finished(result('b'), false);
      await jest.advanceTimersToNextTimerAsync();
      await answer(held?.[0], false);
      batcher.finished(result('c'), false); // during the retry delay: waits for it
      await answer(held?.[1], true);
      expect(batcher.has('a')).toBe(true);
      expect(batcher.has('b')).toBe(false);
      expect(writes).toEqual([['a'], ['b']]);
      await jest.advanceTimersToNextTimerAsync();
      expect(writes).toEqual([['a'], ['b'], ['a', 'c']]);
      await answer(held?.[2], true);
      expect(batcher.has('a') || batcher.has('c')).toBe(false);
    });

    it('drains only when both writes have returned', async () => {
      batcher.finished(result('a'), true);
      await jest.advanceTimersByTimeAsync(LINGER_MS);
      batcher.finished(result('b'), true);
      let drained = false;
      const drain = batcher.drain(60_000).then(() => (drained = true));
      await jest.advanceTimersByTimeAsync(0); // drain skips the linger
      expect(writes).toEqual([['a'], ['b']]);
      await answer(held?.[1], true);
      expect(drained).toBe(false);
      await answer(held?.[0], true);
      await drain;
      expect(drained).toBe(true);
      expect(batcher.has('a') || batcher.has('b')).toBe(false);
    });
  });
});
