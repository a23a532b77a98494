import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { TestCluster } from '../support/test-cluster';

/** "Mapped {/tasks/:id, GET} route" lines: the routes Nest registered in the running app. */
function registeredRoutes(logs: readonly string[]): { path: string; method: string }[] {
  const routes: { path: string; method: string }[] = [];
  for (const line of logs) {
    const m = /Mapped \{(\S*), (\w+)\} route/.exec(line);
    if (m) routes.push({ path: m[1] === '' ? '/' : m[1], method: m[2].toLowerCase() });
  }
  return routes;
}

/** Express-style `/tasks/:id` → OpenAPI `/tasks/{id}`. */
function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

describe('the OpenAPI document', () => {
  let cluster: TestCluster;
  let document: OpenAPIV3.Document;

  beforeAll(async () => {
    cluster = await TestCluster.start({ workers: 0 });
    const res = await cluster.get('/docs/openapi.json');
    expect(res.status).toBe(200);
    document = res.body;
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('is a valid OpenAPI 3 document by a real parser', async () => {
    expect(document.openapi).toMatch(/^3\./);
    // validate() throws with the first violation; it also resolves every $ref
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('has every route the app registered, with a success and an error response', () => {
    const routes = registeredRoutes(cluster.dispatcher.logs);
    expect(routes.length).toBeGreaterThanOrEqual(10);
    const missing: string[] = [];
    const incomplete: string[] = [];
    for (const { path, method } of routes) {
      const op = (
        document.paths[openApiPath(path)] as Record<string, OpenAPIV3.OperationObject> | undefined
      )?.[method];
      if (op === undefined) {
        missing.push(`${method.toUpperCase()} ${path}`);
        continue;
      }
      const codes = Object.keys(op.responses ?? {});
      const success = codes.filter((c) => /^2\d\d$/.test(c));
      const described = success.every((c) => {
        if (c === '204') return true; // No Content: no body to describe
        const r = op.responses[c] as OpenAPIV3.ResponseObject;
        return (
          r.content !== undefined && Object.values(r.content).every((m) => m.schema !== undefined)
        );
      });
      const hasError = codes.some((c) => /^[45]\d\d$/.test(c)) || path.startsWith('/health/live');
      if (success.length === 0 || !described || !hasError)
        incomplete.push(`${method.toUpperCase()} ${path} (${codes.join(',')})`);
    }
    expect(missing).toEqual([]);
    expect(incomplete).toEqual([]);
  });

  it('gives request bodies a schema', () => {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of ['post', 'put', 'patch'] as const) {
        const op = item?.[method];
        if (op?.requestBody === undefined) continue;
        const body = op.requestBody as OpenAPIV3.RequestBodyObject;
        expect({
          path,
          method,
          schema: body.content['application/json']?.schema !== undefined,
        }).toEqual({ path, method, schema: true });
      }
    }
    const submit = document.components?.schemas?.SubmitTaskDto as OpenAPIV3.SchemaObject;
    expect(submit.required).toEqual(['type']);
    expect(Object.keys(submit.properties ?? {})).toEqual(
      expect.arrayContaining(['type', 'payload', 'priority', 'requirements', 'retry']),
    );
  });

  it('serves the Swagger UI at /docs from the dispatcher itself', async () => {
    const res = await fetch(`${cluster.dispatcher.url}/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('swagger-ui');
    // every script and style sheet is local: the UI works without outside network
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).not.toMatch(/^(https?:)?\/\//);
    const init = await fetch(`${cluster.dispatcher.url}/docs/swagger-ui-init.js`);
    expect(init.status).toBe(200);
  });
});
