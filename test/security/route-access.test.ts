import { httpRoutesOf, loadConfig, type RouteAccess } from '@switchyard/core';
import { SwitchyardDispatcherModule } from '@switchyard/dispatcher';
import { SwitchyardWorkerModule } from '@switchyard/worker';
import type { Type } from '@nestjs/common';
import { AppProcess, WORKER_MAIN } from '../support/app-process';
import { TestCluster } from '../support/test-cluster';
import { bearer, makeTestKeys } from './api-keys.fixture';

/** Every HTTP route of both apps and who may call it: the table docs/security.md shows. */
const DISPATCHER_ROUTES: Record<string, RouteAccess> = {
  'POST /tasks': { scope: 'tasks:write' },
  'POST /tasks/batch': { scope: 'tasks:write' },
  'GET /tasks': { scope: 'tasks:read' },
  'GET /tasks/:id': { scope: 'tasks:read' },
  'POST /tasks/:id/cancel': { scope: 'tasks:write' },
  'POST /tasks/:id/retry': { scope: 'tasks:write' },
  'GET /nodes': { scope: 'tasks:read' },
  'GET /nodes/:id': { scope: 'tasks:read' },
  'POST /nodes/:id/drain': { scope: 'nodes:admin' },
  'GET /cluster': { scope: 'tasks:read' },
  'GET /schedules': { scope: 'tasks:read' },
  'POST /schedules': { scope: 'schedules:admin' },
  'DELETE /schedules/:id': { scope: 'schedules:admin' },
  'GET /stats': { scope: 'tasks:read' },
  'GET /events': { scope: 'tasks:read' },
  'GET /dashboard/summary': { scope: 'tasks:read' },
  'GET /': { public: 'dashboard' },
  'GET /dashboard/assets/:file': { public: 'dashboard' },
  'GET /health/live': { public: 'always' },
  'GET /health/ready': { public: 'readiness' },
  'GET /metrics': { public: 'metrics' },
};
/** Served outside Nest's router (by @nestjs/swagger), behind the same policy. */
const DOCS_ROUTES: Record<string, RouteAccess> = {
  'GET /docs': { public: 'docs' },
  'GET /docs/openapi.json': { public: 'docs' },
};
const WORKER_ROUTES: Record<string, RouteAccess> = {
  'GET /health/live': { public: 'always' },
  'GET /health/ready': { public: 'readiness' },
  'GET /metrics': { public: 'metrics' },
};

const SAMPLE_PARAMS: Record<string, string> = {
  '/tasks/:id': '/tasks/01JDZ0000000000000000000AA',
  '/nodes/:id': '/nodes/no-such-node',
  '/schedules/:id': '/schedules/no-such-schedule',
  '/dashboard/assets/:file': '/dashboard/assets/app.js',
};
const samplePath = (path: string): string =>
  Object.entries(SAMPLE_PARAMS).reduce((p, [from, to]) => p.replace(from, to), path);

const ALL_PUBLIC = {
  AUTH_PUBLIC_READINESS: 'true',
  AUTH_PUBLIC_METRICS: 'true',
  AUTH_PUBLIC_DOCS: 'true',
  AUTH_PUBLIC_DASHBOARD: 'true',
};

function tableOf(controllers: readonly Type[]): Record<string, RouteAccess | undefined> {
  return Object.fromEntries(
    httpRoutesOf(controllers).map((r) => [`${r.method} ${r.path}`, r.access]),
  );
}

interface Answer {
  status: number;
  wwwAuthenticate: string | null;
  text: string;
}

/** One request; an event stream is closed as soon as its headers arrive. */
async function hit(
  base: string,
  route: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const [method, path] = route.split(' ');
  const abort = new AbortController();
  const res = await fetch(`${base}${samplePath(path)}`, {
    method,
    headers: { ...headers, ...(method === 'POST' && { 'content-type': 'application/json' }) },
    ...(method === 'POST' && { body: '{}' }),
    signal: abort.signal,
  });
  const streaming = (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
  const text = streaming ? '' : await res.text();
  abort.abort();
  return { status: res.status, wwwAuthenticate: res.headers.get('www-authenticate'), text };
}

describe('every HTTP route declares who may call it', () => {
  const config = loadConfig({ SWITCHYARD_INSECURE_NO_AUTH: 'true' });

  it('maps each dispatcher route to the documented scope or switch', () => {
    const module = SwitchyardDispatcherModule.forRoot(config);
    const table = tableOf(module.controllers ?? []);
    expect(Object.values(table).filter((a) => a === undefined)).toEqual([]);
    expect(table).toEqual(DISPATCHER_ROUTES);
  });

  it('maps each worker route to the documented switch', () => {
    const module = SwitchyardWorkerModule.forRoot({ ...config, handlers: [] });
    const table = tableOf(module.controllers ?? []);
    expect(table).toEqual(WORKER_ROUTES);
  });
});

describe('the API key guard on real processes', () => {
  const keys = makeTestKeys();
  let cluster: TestCluster;
  let worker: AppProcess;
  let openWorker: AppProcess;
  let open: AppProcess;

  beforeAll(async () => {
    cluster = await TestCluster.start({ workers: 0, env: { API_KEYS: keys.apiKeys } });
    open = await cluster.startDispatcher(ALL_PUBLIC);
    const workerEnv = {
      ...cluster.env,
      REDIS_URL: cluster.redisUrl,
      SWITCHYARD_PREFIX: cluster.prefix,
    };
    worker = await AppProcess.start('worker-keys', WORKER_MAIN, { ...workerEnv, NODE_ID: 'wk-1' });
    openWorker = await AppProcess.start('worker-open', WORKER_MAIN, {
      ...workerEnv,
      ...ALL_PUBLIC,
      NODE_ID: 'wk-2',
    });
  });

  afterAll(async () => {
    await Promise.all([worker?.stop(), openWorker?.stop()]);
    await cluster?.stop();
  });

  const dispatcherRoutes = Object.entries({ ...DISPATCHER_ROUTES, ...DOCS_ROUTES });
  const targets = (): Array<[string, string, RouteAccess]> => [
    ...dispatcherRoutes.map(
      ([route, access]) =>
        [cluster.dispatchers[0].url, route, access] as [string, string, RouteAccess],
    ),
    ...Object.entries(WORKER_ROUTES).map(
      ([route, access]) => [worker.url, `${route}`, access] as [string, string, RouteAccess],
    ),
  ];

  it('lists in the OpenAPI document no route the table lacks', async () => {
    const doc = await hit(cluster.dispatchers[0].url, 'GET /docs/openapi.json', bearer(keys.all));
    expect(doc.status).toBe(200);
    const paths = JSON.parse(doc.text).paths as Record<string, Record<string, unknown>>;
    const documented = Object.entries(paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(documented.length).toBeGreaterThan(10);
    expect(documented.filter((r) => !(r in DISPATCHER_ROUTES))).toEqual([]);
  });

  it('answers 401 with WWW-Authenticate: Bearer to every non-public route without a key', async () => {
    const wrong: string[] = [];
    for (const [base, route, access] of targets()) {
      const answer = await hit(base, route);
      const isPublic = 'public' in access && access.public === 'always';
      if (isPublic) {
        if (answer.status === 401 || answer.status === 403) wrong.push(`${route} ${answer.status}`);
        continue;
      }
      if (answer.status !== 401 || !/^Bearer\b/.test(answer.wwwAuthenticate ?? '')) {
        wrong.push(`${base} ${route}: ${answer.status} ${answer.wwwAuthenticate}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 401 to an unknown key', async () => {
    const wrong: string[] = [];
    for (const [base, route, access] of targets()) {
      if ('public' in access && access.public === 'always') continue;
      const answer = await hit(base, route, bearer('not-a-configured-key'));
      if (answer.status !== 401) wrong.push(`${route}: ${answer.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers 403 to a key lacking the route scope, naming the scope', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const [base, route, access] of targets()) {
      if (!('scope' in access)) continue;
      checked++;
      const answer = await hit(base, route, bearer(keys.without[access.scope]));
      if (answer.status !== 403 || !answer.text.includes(access.scope)) {
        wrong.push(`${route}: ${answer.status} ${answer.text}`);
      }
    }
    expect(checked).toBe(Object.values(DISPATCHER_ROUTES).filter((a) => 'scope' in a).length);
    expect(wrong).toEqual([]);
  });

  it('lets a key with exactly the route scope through (any key for switchable routes)', async () => {
    const wrong: string[] = [];
    for (const [base, route, access] of targets()) {
      const key = 'scope' in access ? keys.only[access.scope] : keys.only['tasks:read'];
      const answer = await hit(base, route, bearer(key));
      if (answer.status === 401 || answer.status === 403 || answer.status >= 500) {
        wrong.push(`${route}: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('opens readiness, metrics, docs and the dashboard shell by their switches, and nothing else', async () => {
    const wrong: string[] = [];
    const openTargets: Array<[string, string, RouteAccess]> = [
      ...dispatcherRoutes.map(([r, a]) => [open.url, r, a] as [string, string, RouteAccess]),
      ...Object.entries(WORKER_ROUTES).map(
        ([r, a]) => [openWorker.url, r, a] as [string, string, RouteAccess],
      ),
    ];
    for (const [base, route, access] of openTargets) {
      const answer = await hit(base, route);
      const refused = answer.status === 401 || answer.status === 403;
      if ('public' in access ? refused : answer.status !== 401) {
        wrong.push(`${base} ${route}: ${answer.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
