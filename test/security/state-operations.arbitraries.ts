import fc from 'fast-check';

/**
 * An earlier task, picked by position among the ids known when the burst starts (`recent`: among
 * the last few, which are more likely still live), or an id that does not exist.
 */
export type TaskRef = { known: true; pick: number; recent: boolean } | { known: false; id: string };

export interface TaskDraft {
  type: string;
  payload: unknown;
  priority?: number;
  maxAttempts?: number;
  delayMs?: number;
  timeoutMs?: number;
  idempotencyKey?: string;
  requirements?: { slots?: number; cpu?: number; memoryMb?: number };
  /** Earlier tasks it waits on (by position), plus possibly one that does not exist. */
  dependsOn: TaskRef[];
}

export type Operation =
  | { kind: 'submit'; tasks: TaskDraft[]; batch: boolean }
  | { kind: 'cancel'; target: TaskRef }
  | { kind: 'retry'; target: TaskRef };

/** Kinds of work the example handlers do: succeed, fail, fail then succeed, take a while. */
const work: fc.Arbitrary<{ type: string; payload: unknown }> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.jsonValue({ maxDepth: 2 }).map((payload) => ({ type: 'echo', payload })),
  },
  { weight: 3, arbitrary: fc.constant({ type: 'noop', payload: null }) },
  {
    weight: 2,
    arbitrary: fc.boolean().map((retryable) => ({ type: 'fail', payload: { retryable } })),
  },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: 0, max: 2 })
      .map((failTimes) => ({ type: 'flaky', payload: { failTimes } })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 40 }).map((ms) => ({ type: 'sleep', payload: { ms } })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ steps: fc.integer({ min: 1, max: 3 }), stepMs: fc.integer({ min: 0, max: 5 }) })
      .map((payload) => ({ type: 'count', payload })),
  },
);

const earlier: fc.Arbitrary<TaskRef> = fc
  .tuple(fc.nat(), fc.boolean())
  .map(([pick, recent]) => ({ known: true, pick, recent }));
const unknown: fc.Arbitrary<TaskRef> = fc.ulid().map((id) => ({ known: false, id }));

/** Present once in `1 + absent` times (undefined fields vanish from the JSON body). */
const rarely = <T>(arb: fc.Arbitrary<T>, absent: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

const draft: fc.Arbitrary<TaskDraft> = fc
  .record(
    {
      work,
      priority: fc.integer({ min: -10, max: 10 }),
      maxAttempts: fc.integer({ min: 1, max: 4 }),
      delayMs: rarely(fc.integer({ min: 1, max: 300 }), 3),
      // short enough that some `sleep` attempts time out (the worker aborts them)
      timeoutMs: rarely(fc.integer({ min: 10, max: 200 }), 5),
      idempotencyKey: rarely(
        fc.integer({ min: 0, max: 39 }).map((k) => `ik-${k}`),
        9,
      ),
      requirements: fc.record(
        {
          slots: fc.integer({ min: 1, max: 2 }),
          cpu: fc.integer({ min: 0, max: 300 }),
          memoryMb: fc.integer({ min: 0, max: 64 }),
        },
        { requiredKeys: [] },
      ),
      dependsOn: fc.oneof(
        { weight: 30, arbitrary: fc.constant<TaskRef[]>([]) },
        { weight: 10, arbitrary: fc.array(earlier, { minLength: 1, maxLength: 3 }) },
        { weight: 1, arbitrary: fc.tuple(earlier, unknown).map((refs): TaskRef[] => [...refs]) },
      ),
    },
    { requiredKeys: ['work', 'dependsOn'] },
  )
  .map(({ work: w, ...rest }) => ({ ...w, ...rest }));

export const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 5,
    arbitrary: draft.map((d) => ({ kind: 'submit' as const, tasks: [d], batch: false })),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(draft, { minLength: 1, maxLength: 5 })
      .map((tasks) => ({ kind: 'submit' as const, tasks, batch: true })),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof({ weight: 9, arbitrary: earlier }, { weight: 1, arbitrary: unknown })
      .map((target) => ({ kind: 'cancel' as const, target })),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof({ weight: 9, arbitrary: earlier }, { weight: 1, arbitrary: unknown })
      .map((target) => ({ kind: 'retry' as const, target })),
  },
);

/** `count` operations cut into bursts of 1-12 that run concurrently. */
export function program(count: number): fc.Arbitrary<Operation[][]> {
  return fc
    .tuple(
      fc.array(operation, { minLength: count, maxLength: count }),
      fc.array(fc.integer({ min: 1, max: 12 }), { minLength: count, maxLength: count }),
    )
    .map(([ops, sizes]) => {
      const bursts: Operation[][] = [];
      for (let i = 0, b = 0; i < ops.length; b++) {
        bursts.push(ops.slice(i, i + sizes[b]));
        i += sizes[b];
      }
      return bursts;
    });
}
