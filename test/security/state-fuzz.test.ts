import fc from 'fast-check';
import {
  checkConsistency,
  countUnsettled,
  readClusterState,
  type CheckOptions,
} from '../support/consistency-checker';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';
import { makeTestKeys } from './api-keys.fixture';
import {
  program,
  type Operation,
  type TaskDraft,
  type TaskRef,
} from './state-operations.arbitraries';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const OPERATIONS = Number(process.env.FUZZ_OPERATIONS ?? 5000);
const FINISHED_LIST_CAP = 100_000;
const LIMITED_TYPES = ['sleep', 'count'];
const KEY = makeTestKeys();
const LIVE = ['blocked', 'delayed', 'queued', 'assigned', 'running'];

/** Answers each operation may get; anything else (a 5xx above all) fails the run. */
const ALLOWED: Record<string, number[]> = {
  submit: [200, 201],
  'submit, naming an unknown dependency': [400],
  cancel: [200, 404, 409],
  'cancel, unknown id': [404],
  retry: [200, 404, 409],
  'retry, unknown id': [404],
};

/**
 * Thousands of random submissions (single and batch, with priorities, delays, dependencies and
 * repeated idempotency keys), cancels and retries, in concurrent bursts through HTTP against a
 * dispatcher and two workers. Redis must stay consistent: mid-run (one atomic snapshot while
 * everything moves) and once everything has settled.
 */
describe(`state fuzz (FUZZ_SEED=${SEED}, ${OPERATIONS} operations)`, () => {
  let cluster: TestCluster;
  const checkOptions = (settled: boolean): CheckOptions => ({
    settled,
    finishedListCap: FINISHED_LIST_CAP,
    limitedTypes: LIMITED_TYPES,
  });

  beforeAll(async () => {
    cluster = await TestCluster.start({
      workers: [{ slots: 4 }, { slots: 4 }],
      env: {
        LOG_LEVEL: 'warn',
        API_KEYS: KEY.apiKeys,
        TEST_API_KEY: KEY.all.key,
        TYPE_LIMITS: JSON.stringify({
          sleep: { maxRunning: 2 },
          count: { maxRunning: 3, maxStartsPerSecond: 50 },
        }),
        RETRY_BASE_MS: '20',
        RETRY_CAP_MS: '100',
        FINISHED_LIST_CAP: String(FINISHED_LIST_CAP),
        // a busy shared machine must not make a worker look dead: that is another test's subject
        NODE_SUSPECT_AFTER_MS: '10000',
        NODE_DEAD_AFTER_MS: '20000',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps every index, slot count and history consistent, mid-run and once settled', async () => {
    const base = cluster.key('');
    const ids: string[] = [];
    const created = new Set<string>();
    const byKey = new Map<string, string>();
    const keyClashes: string[] = [];
    const answers = new Map<string, number>();
    const midRun: { live: number; problems: string[] }[] = [];
    let started = 0;

    const send = (method: string, path: string, body?: unknown) =>
      cluster.request(method, path, body);
    const RECENT = 16;
    const resolve = (ref: TaskRef, known: readonly string[]): string | undefined => {
      if (!ref.known) return ref.id;
      const from = ref.recent ? Math.max(0, known.length - RECENT) : 0;
      return known[from + (ref.pick % (known.length - from))];
    };

    function body(d: TaskDraft, known: readonly string[]): object {
      const deps = [...new Set(d.dependsOn.map((r) => resolve(r, known)))].filter(
        (id): id is string => id !== undefined,
      );
      const { dependsOn: _refs, ...rest } = d;
      return { ...rest, ...(deps.length > 0 && { dependsOn: deps }) };
    }

    async function run(op: Operation, known: readonly string[]): Promise<void> {
      let kind: string = op.kind;
      let status: number;
      if (op.kind === 'submit') {
        if (op.tasks.some((t) => t.dependsOn.some((r) => !r.known))) {
          kind = 'submit, naming an unknown dependency';
        }
        const bodies = op.tasks.map((t) => body(t, known));
        const res = op.batch
          ? await send('POST', '/tasks/batch', { tasks: bodies })
          : await send('POST', '/tasks', bodies[0]);
        status = res.status;
        const got: { id: string }[] = op.batch
          ? (res.body?.tasks ?? [])
          : res.body?.id
            ? [res.body]
            : [];
        if (status < 300) {
          got.forEach((t, i) => {
            if (!created.has(t.id)) ids.push(t.id);
            created.add(t.id);
            // one idempotency key, one task: a repeat answers with the task the key first made
            const key = op.tasks[i]?.idempotencyKey;
            if (key === undefined) return;
            const first = byKey.get(key) ?? t.id;
            byKey.set(key, first);
            if (first !== t.id) keyClashes.push(`${key}: ${first} then ${t.id}`);
          });
        }
      } else {
        const id = resolve(op.target, known);
        if (id === undefined) return; // nothing submitted yet
        if (!op.target.known) kind = `${op.kind}, unknown id`;
        status = (await send('POST', `/tasks/${id}/${op.kind}`)).status;
      }
      answers.set(`${kind} ${status}`, (answers.get(`${kind} ${status}`) ?? 0) + 1);
      if (!ALLOWED[kind].includes(status)) {
        throw new Error(`${kind} answered ${status}: ${JSON.stringify(op).slice(0, 500)}`);
      }
    }

    await fc.assert(
      fc.asyncProperty(program(OPERATIONS), async (bursts) => {
        started = Date.now();
        for (const [i, burst] of bursts.entries()) {
          const known = [...ids];
          const checkNow =
            i === Math.floor(bursts.length / 3) || i === Math.floor((2 * bursts.length) / 3);
          let inFlight = true;
          const done = Promise.all(burst.map((op) => run(op, known))).finally(() => {
            inFlight = false;
          });
          // mid-run checks: snapshots taken over and over while this burst's requests are in flight
          while (checkNow && inFlight) {
            const state = await readClusterState(cluster.redis, base);
            midRun.push({
              live: [...state.tasks.values()].filter((t) => LIVE.includes(t.state)).length,
              problems: checkConsistency(state, checkOptions(false)),
            });
          }
          await done;
        }
      }),
      {
        seed: SEED,
        numRuns: 1,
        endOnFailure: true,
        reporter: (out) => {
          if (out.failed) {
            throw new Error(
              `state fuzz failed; rerun with FUZZ_SEED=${SEED}: ${String(
                (out.errorInstance as Error | undefined)?.message ?? out.errorInstance,
              )}`,
            );
          }
        },
      },
    );

    const opsDone = Date.now();
    expect(midRun.length).toBeGreaterThanOrEqual(2);
    expect(midRun.flatMap((m) => m.problems).slice(0, 20)).toEqual([]);
    await waitFor(
      () => countUnsettled(cluster.redis, base),
      (n) => n === 0,
      {
        timeoutMs: 90_000,
        intervalMs: 200,
        what: 'every task to settle',
      },
    );
    const settledAt = Date.now();
    const state = await readClusterState(cluster.redis, base);
    expect(checkConsistency(state, checkOptions(true)).slice(0, 20)).toEqual([]);
    expect(keyClashes).toEqual([]);
    // nothing accepted was lost
    expect([...created].filter((id) => !state.tasks.has(id))).toEqual([]);
    const summary = [...answers.entries()].sort();
    process.stdout.write(
      `state fuzz seed ${SEED}: ${created.size} tasks, operations ${opsDone - started} ms, settling ${settledAt - opsDone} ms, ${midRun.length} mid-run checks seeing ${midRun.map((m) => m.live).join(', ')} live tasks, answers ${JSON.stringify(summary)}\n`,
    );
  }, 300_000);
});
