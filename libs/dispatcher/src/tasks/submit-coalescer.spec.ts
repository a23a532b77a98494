import {
  LimitExceededError,
  StoreUnavailableError,
  type SubmitOutcome,
  type TaskSpec,
} from '@switchyard/core';
import { SubmitCoalescer } from './submit-coalescer';

function spec(type: string): TaskSpec {
  return {
    type,
    payload: null,
    priority: 0,
    requirements: { slots: 1, cpu: 0, memoryMb: 0, labels: {} },
    maxAttempts: 3,
    timeoutMs: 1000,
  };
}

/** A store that records each call's types and answers with ids named after them. */
function recordingStore(refuse: (types: string[]) => Error | undefined = () => undefined): {
  calls: string[][];
  payloads: string[][];
  store: (specs: readonly TaskSpec[], payloadJsons: readonly string[]) => Promise<SubmitOutcome[]>;
} {
  const calls: string[][] = [];
  const payloads: string[][] = [];
  return {
    calls,
    payloads,
    store: (specs, payloadJsons) => {
      const types = specs.map((s) => s.type);
      calls.push(types);
      payloads.push([...payloadJsons]);
      const err = refuse(types);
      if (err !== undefined) return Promise.reject(err);
      return Promise.resolve(types.map((t) => ({ id: `id-${t}`, state: 'queued', created: true })));
    },
  };
}

describe('SubmitCoalescer', () => {
  it('stores the submissions of one event-loop turn with one call, each caller hearing its own task', async () => {
    const { calls, payloads, store } = recordingStore();
    const coalescer = new SubmitCoalescer(store, 100);
    const outcomes = await Promise.all(
      ['a', 'b', 'c'].map((t) => coalescer.submit(spec(t), `{"t":"${t}"}`)),
    );
    expect(calls).toEqual([['a', 'b', 'c']]);
    // each task's payload text travels with it, in the group's order
    expect(payloads).toEqual([['{"t":"a"}', '{"t":"b"}', '{"t":"c"}']]);
    expect(outcomes.map((o) => o.id)).toEqual(['id-a', 'id-b', 'id-c']);
  });

  it('starts a new call when a group reaches its bound', async () => {
    const { calls, store } = recordingStore();
    const coalescer = new SubmitCoalescer(store, 2);
    await Promise.all(['a', 'b', 'c'].map((t) => coalescer.submit(spec(t), 'null')));
    expect(calls).toEqual([['a', 'b'], ['c']]);
  });

  it('sends each member alone after a refusal, so only the refused one fails', async () => {
    const { calls, store } = recordingStore((types) =>
      types.includes('full')
        ? new LimitExceededError('MAX_QUEUED_PER_TYPE', 'the queue of type full is full')
        : undefined,
    );
    const coalescer = new SubmitCoalescer(store, 100);
    const results = await Promise.allSettled(
      ['a', 'full', 'b'].map((t) => coalescer.submit(spec(t), 'null')),
    );
    expect(calls).toEqual([['a', 'full', 'b'], ['a'], ['full'], ['b']]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(LimitExceededError);
  });

  it('gives every member an unavailable store as its answer, without sending again', async () => {
    const { calls, store } = recordingStore(() => new StoreUnavailableError('connection lost'));
    const coalescer = new SubmitCoalescer(store, 100);
    const results = await Promise.allSettled(
      ['a', 'b'].map((t) => coalescer.submit(spec(t), 'null')),
    );
    expect(calls).toEqual([['a', 'b']]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
  });
});
