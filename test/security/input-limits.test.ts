import { TestCluster, type HttpAnswer } from '../support/test-cluster';

// Small limits, so each can be walked to its edge quickly; every other setting is the default.
const ENV = {
  MAX_BODY_BYTES: '4096',
  MAX_PAYLOAD_BYTES: '1024',
  MAX_BATCH_SIZE: '5',
  MAX_LABELS: '4',
  MAX_DEPENDS_ON: '3',
  MAX_JSON_DEPTH: '8',
  MAX_SCHEDULES: '3',
  TASK_MAX_ATTEMPTS: '5',
  TASK_MAX_TIMEOUT_MS: '60000',
};
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** "0,1,...,n" */
const list = (n: number): string => Array.from({ length: n + 1 }, (_, i) => i).join(',');
/** A valid cron of exactly 256 characters (seconds first) that fires only on 29 February. */
const LONG_CRON = `${list(59)} ${list(28)} 12 29 2 *`;
/** `depth` nested arrays around 1. */
const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};
const labels = (n: number): Record<string, string> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
/** A raw JSON text of exactly `bytes` bytes: a valid submit padded with whitespace. */
const paddedBody = (bytes: number): string => {
  const json = JSON.stringify({ type: 'echo' });
  return json.slice(0, -1) + ' '.repeat(bytes - json.length) + '}';
};
const task = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'echo',
  ...extra,
});
const schedule = (extra: Record<string, unknown>): Record<string, unknown> => ({
  cron: '0 0 12 29 2 *',
  task: { type: 'echo' },
  ...extra,
});

interface Case {
  limit: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** The path of the over-limit request, when the limit is in the path. */
  overPath?: string;
  /** The body at the limit (undefined: no valid value at the limit exists, e.g. a strategy name). */
  atLimit?: unknown;
  /** Its expected status when it is not 201. */
  atStatus?: number;
  over: unknown;
  overStatus: number;
  /** The refusal names the field and the limit. */
  message: RegExp;
}

/** A body that names earlier tasks (dependsOn), built once they exist. */
type WithIds = (ids: string[]) => unknown;

const CASES: Case[] = [
  {
    limit: 'task type length (64)',
    method: 'POST',
    path: '/tasks',
    atLimit: task({ type: 'a'.repeat(64) }),
    over: task({ type: 'a'.repeat(65) }),
    overStatus: 400,
    message: /type must be 1-64 characters/,
  },
  {
    limit: 'idempotency key length (128)',
    method: 'POST',
    path: '/tasks',
    atLimit: task({ idempotencyKey: 'k'.repeat(128) }),
    over: task({ idempotencyKey: 'k'.repeat(129) }),
    overStatus: 400,
    message: /idempotencyKey must be 1-128 printable ASCII characters/,
  },
  {
    limit: 'strategy name length (64)',
    method: 'POST',
    path: '/tasks',
    over: task({ strategy: 's'.repeat(65) }),
    overStatus: 400,
    message: /strategy must be shorter than or equal to 64 characters/,
  },
  {
    limit: 'affinity key length (256)',
    method: 'POST',
    path: '/tasks',
    atLimit: task({ affinityKey: 'a'.repeat(256) }),
    over: task({ affinityKey: 'a'.repeat(257) }),
    overStatus: 400,
    message: /affinityKey must be shorter than or equal to 256 characters/,
  },
  {
    limit: 'MAX_PAYLOAD_BYTES',
    method: 'POST',
    path: '/tasks',
    atLimit: task({ payload: 'x'.repeat(1022) }),
    over: task({ payload: 'x'.repeat(1023) }),
    overStatus: 413,
    message: /payload is 1025 bytes; the limit is 1024 \(MAX_PAYLOAD_BYTES\)/,
  },
  {
    limit: 'MAX_BODY_BYTES',
    method: 'POST',
    path: '/tasks',
    atLimit: paddedBody(4096),
    over: paddedBody(4097),
    overStatus: 413,
    message: /request body is larger than MAX_BODY_BYTES \(4096 bytes\)/,
  },
  {
    limit: 'MAX_JSON_DEPTH',
    method: 'POST',
    path: '/tasks',
    atLimit: task({ payload: nested(7) }),
    over: task({ payload: nested(8) }),
    overStatus: 400,
    message: /more than 8 levels deep \(MAX_JSON_DEPTH\)/,
  },
  {
    limit: 'MAX_LABELS',
    method: 'POST',
    path: '/tasks',
    atLimit: task({ requirements: { labels: labels(4) } }),
    over: task({ requirements: { labels: labels(5) } }),
    overStatus: 400,
    message: /requirements\.labels has 5 keys; at most 4 \(MAX_LABELS\)/,
  },
  {
    limit: 'label key length (63)',
    method: 'POST',
    path: '/tasks',
    atLimit: task({ requirements: { labels: { ['k'.repeat(63)]: 'v' } } }),
    over: task({ requirements: { labels: { ['k'.repeat(64)]: 'v' } } }),
    overStatus: 400,
    message: /requirements\.labels key "k+" must be 1-63 characters/,
  },
  {
    limit: 'label value length (128)',
    method: 'POST',
    path: '/tasks',
    atLimit: task({ requirements: { labels: { zone: 'v'.repeat(128) } } }),
    over: task({ requirements: { labels: { zone: 'v'.repeat(129) } } }),
    overStatus: 400,
    message: /requirements\.labels value of "zone" is 129 characters; at most 128/,
  },
  {
    limit: 'label selector list length (32)',
    method: 'POST',
    path: '/tasks',
    atLimit: task({ requirements: { labels: { zone: { in: list(31).split(',') } } } }),
    over: task({ requirements: { labels: { zone: { in: list(32).split(',') } } } }),
    overStatus: 400,
    message: /requirements\.labels "zone"\.in must list 1 to 32 values/,
  },
  {
    limit: 'MAX_DEPENDS_ON',
    method: 'POST',
    path: '/tasks',
    atLimit: ((ids) => task({ dependsOn: ids.slice(0, 3) })) as WithIds,
    over: ((ids) => task({ dependsOn: ids.slice(0, 4) })) as WithIds,
    overStatus: 400,
    message: /dependsOn lists 4 tasks; at most 3 \(MAX_DEPENDS_ON\)/,
  },
  {
    limit: 'priority (1000)',
    method: 'POST',
    path: '/tasks',
    atLimit: task({ priority: 1000 }),
    over: task({ priority: 1001 }),
    overStatus: 400,
    message: /priority must not be greater than 1000/,
  },
  {
    limit: 'TASK_MAX_ATTEMPTS',
    method: 'POST',
    path: '/tasks',
    atLimit: task({ maxAttempts: 5 }),
    over: task({ maxAttempts: 6 }),
    overStatus: 400,
    message: /maxAttempts must not be greater than 5 \(TASK_MAX_ATTEMPTS\)/,
  },
  {
    limit: 'TASK_MAX_TIMEOUT_MS',
    method: 'POST',
    path: '/tasks',
    atLimit: task({ timeoutMs: 60_000 }),
    over: task({ timeoutMs: 60_001 }),
    overStatus: 400,
    message: /timeoutMs must not be greater than 60000 \(TASK_MAX_TIMEOUT_MS\)/,
  },
  {
    limit: 'delayMs (a year)',
    method: 'POST',
    path: '/tasks',
    atLimit: task({ delayMs: YEAR_MS }),
    over: task({ delayMs: YEAR_MS + 1 }),
    overStatus: 400,
    message: new RegExp(`delayMs must not be greater than ${YEAR_MS}`),
  },
  {
    limit: 'slots (10000)',
    method: 'POST',
    path: '/tasks',
    atLimit: task({ requirements: { slots: 10_000 } }),
    over: task({ requirements: { slots: 10_001 } }),
    overStatus: 400,
    message: /requirements\.slots must not be greater than 10000/,
  },
  {
    limit: 'MAX_BATCH_SIZE',
    method: 'POST',
    path: '/tasks/batch',
    atLimit: { tasks: Array.from({ length: 5 }, () => task()) },
    over: { tasks: Array.from({ length: 6 }, () => task()) },
    overStatus: 413,
    message: /tasks: a batch holds at most 5 tasks \(MAX_BATCH_SIZE\), got 6/,
  },
  {
    limit: 'MAX_PAYLOAD_BYTES in a batch',
    method: 'POST',
    path: '/tasks/batch',
    atLimit: { tasks: [task(), task({ payload: 'x'.repeat(1022) })] },
    over: { tasks: [task(), task({ payload: 'x'.repeat(1023) })] },
    overStatus: 413,
    message: /tasks\[1\]\.payload is 1025 bytes; the limit is 1024 \(MAX_PAYLOAD_BYTES\)/,
  },
  {
    limit: 'schedule name length (128)',
    method: 'POST',
    path: '/schedules',
    atLimit: schedule({ name: 'n'.repeat(128) }),
    over: schedule({ name: 'n'.repeat(129) }),
    overStatus: 400,
    message: /name must be shorter than or equal to 128 characters/,
  },
  {
    limit: 'cron length (256)',
    method: 'POST',
    path: '/schedules',
    atLimit: schedule({ cron: LONG_CRON }),
    over: schedule({ cron: `${LONG_CRON} ` }),
    overStatus: 400,
    message: /cron must be shorter than or equal to 256 characters/,
  },
  {
    limit: 'time zone length (64)',
    method: 'POST',
    path: '/schedules',
    over: schedule({ timeZone: 'Z'.repeat(65) }),
    overStatus: 400,
    message: /timeZone must be an IANA time zone .*at most 64 characters/,
  },
  {
    limit: 'schedule task template type length (64)',
    method: 'POST',
    path: '/schedules',
    over: schedule({ task: { type: 'a'.repeat(65) } }),
    overStatus: 400,
    message: /task\.type must be 1-64 characters/,
  },
  {
    limit: 'MAX_SCHEDULES',
    method: 'POST',
    path: '/schedules',
    atLimit: schedule({}),
    over: schedule({}),
    overStatus: 413,
    message: /already 3 schedules \(MAX_SCHEDULES\)/,
  },
  {
    limit: 'node id length in GET /nodes/:id (64)',
    method: 'GET',
    path: `/nodes/${'n'.repeat(64)}`,
    overPath: `/nodes/${'n'.repeat(65)}`,
    atStatus: 404,
    over: undefined,
    overStatus: 400,
    message: /node id must be 1-64 characters/,
  },
  {
    limit: 'node id length in POST /nodes/:id/drain (64)',
    method: 'POST',
    path: `/nodes/${'n'.repeat(64)}/drain`,
    overPath: `/nodes/${'n'.repeat(65)}/drain`,
    atStatus: 404,
    over: undefined,
    overStatus: 400,
    message: /node id must be 1-64 characters/,
  },
  {
    limit: 'page size of GET /tasks (1000)',
    method: 'GET',
    path: '/tasks?state=failed&limit=1000',
    overPath: '/tasks?state=failed&limit=1001',
    atStatus: 200,
    over: undefined,
    overStatus: 400,
    message: /limit must not be greater than 1000/,
  },
  {
    limit: 'cursor length of GET /tasks (512)',
    method: 'GET',
    path: `/tasks?state=failed&cursor=${'c'.repeat(513)}`,
    over: undefined,
    overStatus: 400,
    message: /cursor must be shorter than or equal to 512 characters/,
  },
];

describe('input limits against a real dispatcher', () => {
  let cluster: TestCluster;
  const ids: string[] = [];

  const keyCount = async (): Promise<number> => (await cluster.redis.keys(cluster.key('*'))).length;

  const send = (c: Case, path: string, body: unknown): Promise<HttpAnswer> =>
    cluster.request(c.method, path, body);

  beforeAll(async () => {
    cluster = await TestCluster.start({ env: ENV });
    for (let i = 0; i < 4; i++) {
      const res = await cluster.post('/tasks', task());
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it.each(
    CASES.map((c) => {
      const checksAt = c.atLimit !== undefined || c.atStatus !== undefined;
      // some limits have no valid value exactly at the limit (a strategy name): over only
      return [
        c.limit,
        checksAt ? 'accepted at the limit, refused one over' : 'refused',
        c,
      ] as const;
    }),
  )('%s: %s with a message naming it, nothing written', async (_name, _what, c) => {
    const body = (v: unknown): unknown => (typeof v === 'function' ? (v as WithIds)(ids) : v);
    if (c.atLimit !== undefined || c.atStatus !== undefined) {
      const at = await send(c, c.path, body(c.atLimit));
      expect({ status: at.status, body: at.body }).toMatchObject({
        status: c.atStatus ?? 201,
      });
    }
    const before = await keyCount();
    const over = await send(c, c.overPath ?? c.path, body(c.over));
    const after = await keyCount();
    const said: unknown = over.body?.message ?? over.body;
    const message = Array.isArray(said) ? said.join('; ') : String(said);
    expect({ status: over.status, message }).toEqual({
      status: c.overStatus,
      message: expect.stringMatching(c.message),
    });
    expect(after).toBe(before);
  });

  it('answers a 10,000-level deep JSON body with 400 naming MAX_JSON_DEPTH, and stays up', async () => {
    // a dispatcher whose body limit lets the 20 kB body through to the depth check
    const roomy = await cluster.startDispatcher({ MAX_BODY_BYTES: '65536' });
    const before = await keyCount();
    const deep = `{"type":"echo","payload":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const res = await cluster.requestTo(roomy, 'POST', '/tasks', deep);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'json.too.deep' });
    expect(res.body.message).toMatch(/MAX_JSON_DEPTH/);
    expect(await keyCount()).toBe(before);
    expect((await cluster.requestTo(roomy, 'GET', '/health/live')).status).toBe(200);
  });

  it('answers malformed JSON with 400 and a message saying so', async () => {
    const before = await keyCount();
    const res = await cluster.request('POST', '/tasks', '{"type": "echo",');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'entity.parse.failed' });
    expect(res.body.message).toMatch(/^malformed JSON body: /);
    expect(await keyCount()).toBe(before);
  });

  it('answers a body over MAX_BODY_BYTES with 413 in the JSON error shape', async () => {
    const res = await cluster.request('POST', '/tasks/batch', paddedBody(10_000));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'entity.too.large' });
  });

  it('answers a schedule id that is not a ULID with 400 before touching Redis', async () => {
    const res = await cluster.request('DELETE', `/schedules/${'s'.repeat(200)}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/is not a schedule id \(a 26-character ULID\)/);
  });

  it('answers runAt more than a year ahead with 400', async () => {
    const res = await cluster.post('/tasks', task({ runAt: Date.now() + 2 * YEAR_MS }));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/runAt must be at most 365 days from now/);
  });
});
