import fc from 'fast-check';

/** Limits the fuzzed cluster runs with, so the "too large" answers cost little to provoke. */
export const FUZZ_LIMITS = {
  MAX_BODY_BYTES: '1048576',
  MAX_PAYLOAD_BYTES: '65536',
  MAX_BATCH_SIZE: '50',
  MAX_QUEUED_PER_TYPE: '200',
};

/** Names that reach into an object's prototype chain when code copies fields naively. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

const TASK_FIELDS = [
  'type',
  'payload',
  'priority',
  'requirements',
  'maxAttempts',
  'timeoutMs',
  'idempotencyKey',
  'strategy',
  'affinityKey',
  'delayMs',
  'runAt',
  'retry',
  'dependsOn',
];
const NESTED_FIELDS = {
  requirements: ['slots', 'cpu', 'memoryMb', 'labels'],
  retry: ['backoff', 'baseMs', 'capMs', 'jitter'],
};

/** `{"a":{"a":...}}` or `[[...]]`, `depth` levels: recursion in parsers and validators. */
export function nested(depth: number, asArray: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v };
  return v;
}

/** Values of the wrong type, size or sign for any field. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '-0', '1e999', '0x10', '', ' ', 'null', '1'),
  fc.integer(),
  fc.double(), // NaN and ±Infinity become null in JSON
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, -1, 2 ** 31, -(2 ** 53), 0.5, -0),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 5 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(50, 500, 1500).chain((d) => fc.boolean().map((a) => nested(d, a))),
  fc.constant('x'.repeat(300)),
);

/** A task body that would be accepted, or nearly: the base the mutations start from. */
export function validTask(dependencyIds: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(
    {
      type: fc.constantFrom('echo', 'noop', 'fuzz.type', 'sleep'),
      payload: fc.jsonValue({ maxDepth: 2 }),
      priority: fc.integer({ min: -1000, max: 1000 }),
      requirements: fc.record(
        {
          slots: fc.integer({ min: 1, max: 4 }),
          cpu: fc.integer({ min: 0, max: 2000 }),
          labels: fc.constantFrom({}, { zone: 'eu' }, { zone: { in: ['eu', 'us'] } }),
        },
        { requiredKeys: [] },
      ),
      maxAttempts: fc.integer({ min: 1, max: 5 }),
      timeoutMs: fc.integer({ min: 1, max: 60_000 }),
      idempotencyKey: fc.constantFrom('k1', 'k2', 'k3'),
      strategy: fc.constantFrom('least-loaded', 'round-robin', 'spread'),
      delayMs: fc.integer({ min: 0, max: 3_600_000 }),
      retry: fc.record({
        backoff: fc.constantFrom('fixed', 'exponential'),
        baseMs: fc.integer({ min: 0, max: 1000 }),
        capMs: fc.integer({ min: 0, max: 10_000 }),
        jitter: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      dependsOn: fc.subarray([...dependencyIds], { minLength: 1 }),
    },
    { requiredKeys: ['type'] },
  );
}

const DELETE = Symbol('delete');
type Target = 'top' | keyof typeof NESTED_FIELDS;

const mutation = fc.oneof(
  fc.tuple(
    fc.constant<Target>('top'),
    fc.constantFrom(...TASK_FIELDS, ...PROTOTYPE_KEYS, 'extra', 'tasks', 'id', 'state', 'strategy'),
  ),
  fc.tuple(fc.constant<Target>('requirements'), fc.constantFrom(...NESTED_FIELDS.requirements)),
  fc.tuple(fc.constant<Target>('retry'), fc.constantFrom(...NESTED_FIELDS.retry)),
  fc.tuple(fc.constantFrom<Target>('top', 'requirements'), fc.constantFrom(...PROTOTYPE_KEYS)),
);

/** Sets a field as an own property, even `__proto__` (plain assignment would hit the setter). */
function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `base` with up to four fields replaced by junk, removed, or added. */
export function mutatedTask(
  dependencyIds: readonly string[],
): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      validTask(dependencyIds),
      fc.oneof(
        { weight: 1, arbitrary: fc.constant([]) },
        {
          weight: 1,
          arbitrary: fc.array(fc.tuple(mutation, fc.oneof(junkValue, fc.constant(DELETE))), {
            minLength: 1,
            maxLength: 4,
          }),
        },
      ),
    )
    .map(([base, changes]) => {
      const task = structuredClone(base);
      for (const [[target, field], value] of changes) {
        let obj = task;
        if (target !== 'top') {
          const inner = task[target];
          obj =
            typeof inner === 'object' && inner !== null && !Array.isArray(inner)
              ? (inner as Record<string, unknown>)
              : {};
          put(task, target, obj);
        }
        if (value === DELETE) delete obj[field];
        else put(obj, field, structuredClone(value)); // constants are shared between runs: never alias them
      }
      return task;
    });
}

/** Text that is not JSON, or JSON a careless parser mishandles. */
const rawText = fc.oneof(
  fc.constantFrom(
    '{',
    '{"type":',
    '{"type":"echo",}',
    "{'type':'echo'}",
    '{"type":"echo"}{"type":"echo"}',
    '{"a":NaN}',
    'null',
    'true',
    '1',
    '"echo"',
    '[]',
    '\u0000',
    '\ufeff{"type":"echo"}',
    '{"type":"\\ud800"}',
    'type=echo&priority=1',
  ),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(2000, 20_000).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.constantFrom(2000, 20_000).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
);

export const MISSING_BODY = Symbol('missing body');

/** The body kinds a route expects (`/tasks`, `/tasks/batch`, `/schedules`), else none. */
export type BodyShape = 'task' | 'batch' | 'schedule' | 'none';

/**
 * Every kind of body, the route's own shape most often; `MISSING_BODY` sends none at all.
 */
export function fuzzBody(
  dependencyIds: readonly string[],
  shape: BodyShape,
): fc.Arbitrary<string | typeof MISSING_BODY> {
  const task = mutatedTask(dependencyIds);
  const own = (s: BodyShape): number => (s === shape ? 24 : 3);
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(MISSING_BODY) },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 3, arbitrary: rawText },
    { weight: own('task'), arbitrary: task.map((t) => JSON.stringify(t)) },
    {
      weight: own('batch'),
      arbitrary: fc.array(task, { maxLength: 6 }).map((tasks) => JSON.stringify({ tasks })),
    },
    { weight: 1, arbitrary: junkValue.map((junk) => JSON.stringify({ tasks: junk })) },
    {
      weight: own('schedule'),
      arbitrary: fc
        .record(
          {
            name: fc.string({ maxLength: 20 }),
            cron: fc.constantFrom('0 0 1 1 *', '*/5 * * * *', '61 * * * *', 'not cron', '* * *'),
            everyMs: fc.oneof(fc.integer({ min: 100, max: 10_000_000 }), junkValue),
            timeZone: fc.constantFrom('UTC', 'Europe/Paris', 'Mars/Olympus', '../../etc'),
            missedTicks: fc.constantFrom('skip', 'fire-once', 'junk'),
            task,
          },
          { requiredKeys: ['task'] },
        )
        .map((s) => JSON.stringify(s)),
    },
    { weight: 2, arbitrary: junkValue.map((v) => JSON.stringify(v) ?? 'undefined') },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(70_000, 1_100_000)
        .map((n) => JSON.stringify({ type: 'echo', payload: { blob: 'x'.repeat(n) } })),
    },
  );
}
