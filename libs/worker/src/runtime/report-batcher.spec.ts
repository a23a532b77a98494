import type { FinishReport, SwitchyardConfig, TaskStore } from '@switchyard/core';
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

describe('report batching', () => {
  let writes: string[][];
  let failNextWrite: boolean;
  let batcher: ReportBatcher;

  beforeEach(() => {
    jest.useFakeTimers();
    writes = [];
    failNextWrite = false;
    const tasks = {
      finish: jest.fn((_node: string, _inc: number, reports: readonly FinishReport[]) => {
        writes.push(reports.map((r) => r.taskId));
        if (failNextWrite) {
          failNextWrite = false;
          return Promise.reject(new Error('connection lost'));
        }
        return Promise.resolve(reports.map(() => 'succeeded'));
      }),
    };
    batcher = new ReportBatcher(
      tasks as unknown as TaskStore,
      { nodeId: 'n1', incarnation: 1 } as NodeSession,
      { recorded: jest.fn() } as unknown as WorkerMetrics,
      { prefix: 'sy', reportLingerMs: LINGER_MS } as SwitchyardConfig,
    );
  });

  afterEach(() => {
    batcher.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('writes the results of the tasks that end in one turn together, without a linger', async () => {
    batcher.finished(result('a'), true);
    batcher.finished(result('b'), true);
    batcher.finished(result('c'), false);
    expect(writes).toEqual([]);
    await jest.advanceTimersToNextTimerAsync(); // the end of the turn
    expect(writes).toEqual([['a', 'b', 'c']]);
    expect(jest.getTimerCount()).toBe(0);
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
    batcher.finished(result('a'), false);
    expect(batcher.has('a')).toBe(true);
    await jest.advanceTimersToNextTimerAsync(); // the failed write
    expect(writes).toEqual([['a']]);
    expect(batcher.has('a')).toBe(true);
    await jest.advanceTimersToNextTimerAsync(); // the retry
    expect(writes).toEqual([['a'], ['a']]);
    expect(batcher.has('a')).toBe(false);
  });
});
