import fc from 'fast-check';
import type { RawRequest } from '../support/raw-http';
import { fuzzBody, type BodyShape } from './fuzz-body.arbitraries';

/** One operation of the OpenAPI document: `/tasks/{id}/cancel` with its parameter names. */
export interface Route {
  method: string;
  template: string;
  pathParams: string[];
  queryParams: string[];
}

/** Real values per path parameter, keyed `<first segment>:<param>` (e.g. `tasks:id`). */
export type RealParams = Record<string, readonly string[]>;

export interface FuzzRequest extends RawRequest {
  /** `METHOD template` of the route it was built from, or `random` for a made-up path. */
  route: string;
}

export function routesOf(openapi: {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
}): Route[] {
  const routes: Route[] = [];
  for (const [template, ops] of Object.entries(openapi.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = op.parameters ?? [];
      routes.push({
        method: method.toUpperCase(),
        template,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
      });
    }
  }
  return routes;
}

function shapeOf(route: Route): BodyShape {
  if (route.method !== 'POST') return 'none';
  if (route.template === '/tasks') return 'task';
  if (route.template === '/tasks/batch') return 'batch';
  if (route.template === '/schedules') return 'schedule';
  return 'none';
}

export function paramFamily(template: string, param: string): string {
  return `${template.split('/')[1]}:${param}`;
}

/** Node's own request-head limit (--max-http-header-size): over it, 431 before any app code. */
const NODE_HEAD_LIMIT = 16 * 1024;

/**
 * Requests Node's HTTP parser answers itself (400 for raw non-ASCII bytes in the request line,
 * 431 for a head over its limit) and then closes: a body still being uploaded meets a TCP reset
 * and the answer is lost on the way. Such requests go without a body; no app code is involved.
 */
function refusedByNodeParser(path: string, headers: Record<string, string>): boolean {
  const head =
    path.length + Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  return /[\x80-\xff]/.test(path) || head > NODE_HEAD_LIMIT - 1024;
}

/** Methods Node's HTTP parser knows (an unknown one is refused before any app code runs). */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND', 'PURGE'];

/** Percent-encodes every byte of `s` (UTF-8), the way a client escapes unicode in a path. */
function encodeAll(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

/** A path segment in the printable range node:http sends (0x21-0xff, no `?`/`#` by accident). */
function safeSegment(s: string): string {
  return s.replace(/[^\x21-\x7e]|[?#%]/g, (c) => encodeAll(c));
}

/** Values for a path parameter: real ids, right-looking ids, wrong shapes, traversal, junk. */
function paramValue(real: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: real.length > 0 ? 4 : 0,
      arbitrary: fc.constantFrom(...(real.length ? real : ['x'])),
    },
    { weight: 2, arbitrary: fc.ulid() },
    { weight: 1, arbitrary: fc.ulid().map((u) => u.toLowerCase()) },
    { weight: 1, arbitrary: fc.ulid().map((u) => u.slice(1)) },
    { weight: 1, arbitrary: fc.ulid().map((u) => `${u}0`) },
    { weight: 2, arbitrary: fc.string({ maxLength: 30 }).map(safeSegment) },
    { weight: 1, arbitrary: fc.constantFrom(100, 3000, 20_000).map((n) => 'A'.repeat(n)) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeAll) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '..',
        '.',
        '%2e%2e',
        '..%2f..%2fpackage.json',
        '..%5c..%5cpackage.json',
        '%00',
        '%',
        '%ZZ',
        '%C0%AF',
        '%FF%FE',
        '%E2%80%AE',
        '\xff\xfe',
        'null',
        'undefined',
        '__proto__',
        'constructor',
        '-1',
        '0',
        '*',
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 16 })
        .map((b) => encodeAll(Buffer.from(b).toString('latin1'))),
    },
  );
}

const queryPart = (names: string[]): fc.Arbitrary<string> =>
  fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom(...names, 'limit', 'cursor', 'state', '__proto__', 'a[b]'),
          fc.string({ maxLength: 6 }),
        ),
        fc.oneof(
          fc.constantFrom('queued', 'failed', '-1', '0', '1e9', 'NaN', '', '%ZZ', 'x'.repeat(5000)),
          fc.string({ maxLength: 20 }),
          fc.ulid(),
        ),
      ),
      { maxLength: 4 },
    )
    .map((pairs) =>
      pairs.length === 0
        ? ''
        : `?${pairs.map(([k, v]) => `${safeSegment(k)}=${safeSegment(v)}`).join('&')}`,
    );

/** A path made of the API's own words and junk, for routes that do not exist. */
const randomPath = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'tasks',
        'nodes',
        'schedules',
        'docs',
        'health',
        'metrics',
        'events',
        'batch',
        '..',
        '',
        'api',
      ),
      fc.string({ maxLength: 12 }).map(safeSegment),
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((segments) => `/${segments.join('/')}`);

const printable = (max: number): fc.Arbitrary<string> =>
  fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));

/** Absent `absentWeight` times out of `absentWeight + 1`, else one of `arb`. */
const sometimes = <T>(arb: fc.Arbitrary<T>, absentWeight: number): fc.Arbitrary<T | undefined> =>
  fc.oneof(
    { weight: absentWeight, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: arb },
  );

const headerArb = (otherKeys: readonly string[]) =>
  fc
    .record({
      'content-type': fc.oneof(
        { weight: 6, arbitrary: fc.constant('application/json') },
        { weight: 1, arbitrary: fc.constant(undefined) },
        {
          weight: 2,
          arbitrary: fc.oneof(
            fc.constantFrom(
              'application/json; charset=utf-8',
              'application/json; charset=utf-16',
              'application/json; charset=koi8-r',
              'text/plain',
              'application/x-www-form-urlencoded',
              'multipart/form-data',
              'multipart/form-data; boundary=x',
              'application/xml',
              'application/merge-patch+json',
              '*/*',
            ),
            printable(40),
          ),
        },
      ),
      authorization: sometimes(
        fc.oneof(
          printable(60).map((s) => `Bearer ${s}`),
          fc.constantFrom(
            'Bearer',
            'Bearer ',
            'Basic YWRtaW46YWRtaW4=',
            `Bearer ${'k'.repeat(8000)}`,
          ),
          fc.constantFrom(...otherKeys, 'none').map((k) => `Bearer ${k}`),
          printable(40),
        ),
        4,
      ),
      accept: sometimes(
        fc.oneof(
          fc.constantFrom('application/json', 'text/event-stream', 'text/html', '*/*;q=0', ''),
          printable(30),
        ),
        3,
      ),
      'content-encoding': sometimes(
        fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'junk'),
        12,
      ),
      'last-event-id': sometimes(printable(30), 6),
      'x-forwarded-for': sometimes(fc.constantFrom('127.0.0.1', '::1, 10.0.0.1', 'junk'), 6),
    })
    .map((h) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(h)) if (value !== undefined) headers[name] = value;
      return headers;
    });

/**
 * Requests against the routes of the OpenAPI document (mostly with their own method, sometimes
 * another) and against made-up paths, with fuzzed headers and bodies; a fuzzed Authorization
 * is junk or one of `otherKeys` (real keys, of the wrong scope for many routes).
 */
export function fuzzRequest(
  routes: readonly Route[],
  real: RealParams,
  dependencyIds: readonly string[],
  otherKeys: readonly string[] = [],
): fc.Arbitrary<FuzzRequest> {
  // routes that take a body are picked more often: that is where most of the input is
  const route = fc.oneof(
    ...routes.map((r) => ({ weight: r.method === 'GET' ? 1 : 4, arbitrary: fc.constant(r) })),
  );
  const onRoute = route
    .chain((route) =>
      fc.record({
        route: fc.constant(`${route.method} ${route.template}`),
        method: fc.oneof(
          { weight: 5, arbitrary: fc.constant(route.method) },
          { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
        ),
        params: fc.tuple(
          ...route.pathParams.map((p) => paramValue(real[paramFamily(route.template, p)] ?? [])),
        ),
        query: fc.oneof(
          { weight: 3, arbitrary: fc.constant('') },
          { weight: 1, arbitrary: queryPart(route.queryParams) },
        ),
        template: fc.constant(route.template),
        body: fuzzBody(dependencyIds, shapeOf(route)),
        pathParams: fc.constant(route.pathParams),
      }),
    )
    .map((r) => {
      let path = r.template;
      r.pathParams.forEach((name, i) => (path = path.replace(`{${name}}`, r.params[i] as string)));
      return { route: r.route, method: r.method, path: path + r.query, body: r.body };
    });
  const offRoute = fc.record({
    route: fc.constant('random'),
    method: fc.constantFrom(...METHODS),
    path: randomPath,
    body: fuzzBody(dependencyIds, 'none'),
  });
  return fc
    .record({
      target: fc.oneof({ weight: 6, arbitrary: onRoute }, { weight: 1, arbitrary: offRoute }),
      headers: headerArb(otherKeys),
    })
    .map(({ target: { body, ...target }, headers }) => ({
      ...target,
      headers,
      ...(typeof body === 'string' &&
        target.method !== 'HEAD' &&
        !refusedByNodeParser(target.path, headers) && { body }),
    }));
}
