import {
  loadConfig,
  type SubmitOutcome,
  type TaskSpec,
  type TaskSubmissionStore,
} from '@switchyard/core';
import type { DispatcherMetrics } from '../metrics/dispatcher-metrics';
import type { LoopWaker } from '../scheduling/loop-waker';
import type { StrategyRegistry } from '../scheduling/strategy-registry';
import type { SubmitTaskDto } from './dto/submit-task.dto';
import { TaskSubmission } from './task-submission.service';

/** A TaskSubmission whose store creates every task but the ones at `replayed` (idempotent replays). */
function submissionWith(replayed: ReadonlySet<number>) {
  const counted: [string, number][] = [];
  const store = {
    submitTelling: (specs: readonly TaskSpec[]): Promise<{ outcomes: SubmitOutcome[] }> =>
      Promise.resolve({
        outcomes: specs.map((_s, i) => ({
          id: `t${i}`,
          state: 'queued',
          created: !replayed.has(i),
        })),
      }),
  } as unknown as TaskSubmissionStore;
  const metrics = {
    tasksSubmitted: (type: string, count = 1) => counted.push([type, count]),
  } as unknown as DispatcherMetrics;
  const submission = new TaskSubmission(
    store,
    { submitted: () => undefined } as unknown as LoopWaker,
    { assertSubmittable: () => undefined } as unknown as StrategyRegistry,
    metrics,
    loadConfig({}),
  );
  return { submission, counted };
}

describe('TaskSubmission', () => {
  it('counts the created tasks of a batch per type, one increment per type, replays left out', async () => {
    const { submission, counted } = submissionWith(new Set([2]));
    const types = ['a', 'b', 'a', 'a', 'b'];
    await submission.submit(types.map((type) => ({ type }) as SubmitTaskDto));
    expect(counted.sort()).toEqual([
      ['a', 2],
      ['b', 2],
    ]);
  });

  it('counts nothing when every task of a batch was a replay', async () => {
    const { submission, counted } = submissionWith(new Set([0, 1]));
    await submission.submit([{ type: 'a' }, { type: 'a' }] as SubmitTaskDto[]);
    expect(counted).toEqual([]);
  });
});
