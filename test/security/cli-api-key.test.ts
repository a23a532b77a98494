import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { TestCluster } from '../support/test-cluster';
import { makeTestKeys } from './api-keys.fixture';

const CLI = path.resolve(__dirname, '..', '..', 'dist/apps/cli/main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('the CLI with SWITCHYARD_API_KEY against the real guard', () => {
  const keys = makeTestKeys();
  let cluster: TestCluster;
  const cli = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI, ...args],
        {
          env: { PATH: process.env.PATH ?? '', SWITCHYARD_URL: cluster.dispatcher.url, ...env },
          timeout: 60_000,
        },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    cluster = await TestCluster.start({ workers: 0, env: { API_KEYS: keys.apiKeys } });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('works with a key holding the scope', async () => {
    const run = await cli(['nodes', '--json'], { SWITCHYARD_API_KEY: keys.only['tasks:read'].key });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([]);
  });

  it('reports 401 without a key and 403 with a key lacking the scope, never printing the key', async () => {
    const none = await cli(['nodes']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/401: missing or unknown API key/);
    const writer = keys.only['tasks:write'].key;
    const lacking = await cli(['nodes'], { SWITCHYARD_API_KEY: writer });
    expect(lacking.code).toBe(1);
    expect(lacking.stderr).toMatch(/403: .*lacks the scope tasks:read/);
    expect(lacking.stderr + lacking.stdout).not.toContain(writer);
  });
});
