import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertAuthConfigured, loadConfig } from '@switchyard/core';
import { parseAllDocuments } from 'yaml';
import { AppProcess, DISPATCHER_MAIN, WORKER_MAIN } from '../support/app-process';
import { SHARED_REDIS_URL } from '../support/redis-server';
import { TestCluster } from '../support/test-cluster';
import { bearer } from './api-keys.fixture';

const ROOT = path.resolve(__dirname, '..', '..');
const PREFIX = 'tkeys';

interface Exit {
  code: number | null;
  output: string;
}

/** Runs an app that is expected to refuse to start; its exit code and everything it printed. */
function runToExit(main: string, env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [main], {
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: SHARED_REDIS_URL,
        SWITCHYARD_PREFIX: PREFIX,
        PORT: '0',
        HOST: '127.0.0.1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    proc.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    proc.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    // a process that does start would listen: stop it so the test fails on the code, not a hang
    const listening = setInterval(() => {
      if (/listening on port/.test(output)) proc.kill('SIGKILL');
    }, 50);
    proc.once('exit', (code) => {
      clearInterval(listening);
      resolve({ code, output });
    });
  });
}

function apiKeyScript(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'scripts/api-key.js'), ...args],
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('starting without API keys', () => {
  it.each([
    ['dispatcher', DISPATCHER_MAIN],
    ['worker', WORKER_MAIN],
  ])('the %s refuses, saying how to configure keys', async (_app, main) => {
    const run = await runToExit(main, {});
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/API_KEYS: no API keys are configured/);
    expect(run.output).toMatch(/SWITCHYARD_INSECURE_NO_AUTH=true/);
    expect(run.output).not.toMatch(/listening on port/);
  });

  it('the dispatcher refuses a bad API_KEYS entry, naming it without printing its hash', async () => {
    const hashLike = 'ab'.repeat(33); // 66 hex digits: one byte too many
    const run = await runToExit(DISPATCHER_MAIN, { API_KEYS: `ci:${hashLike}:tasks:read` });
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/API_KEYS: entry 1 \("ci"\): the hash must be 64 hex digits/);
    expect(run.output).not.toContain(hashLike.slice(0, 16));
  });

  it('with SWITCHYARD_INSECURE_NO_AUTH=true both start, warn loudly, and let requests in', async () => {
    const cluster = await TestCluster.start({ workers: [{ id: 'open-1' }] });
    try {
      const dispatcher = cluster.dispatchers[0];
      const worker = cluster.workers.get('open-1') as AppProcess;
      for (const app of [dispatcher, worker]) {
        expect(
          app.logsMatching(/INSECURE: SWITCHYARD_INSECURE_NO_AUTH=true and no API_KEYS/),
        ).toHaveLength(1);
      }
      expect((await cluster.get('/stats')).status).toBe(200);
      expect((await cluster.requestTo(worker, 'GET', '/metrics')).status).toBe(200);
    } finally {
      await cluster.stop();
    }
  });
});

describe('scripts/api-key.js', () => {
  it('prints a fresh random key and an API_KEYS entry a dispatcher accepts', async () => {
    const first = await apiKeyScript('ops', 'tasks:read', 'nodes:admin');
    const second = await apiKeyScript('ops', 'tasks:read', 'nodes:admin');
    expect(first.code).toBe(0);
    const key = /^key: (\S+)$/m.exec(first.stdout)?.[1] ?? '';
    const entry = /^entry: (\S+)$/m.exec(first.stdout)?.[1] ?? '';
    // 32 random bytes, base64url
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.stdout).not.toContain(key);
    expect(entry).toMatch(/^ops:[0-9a-f]{64}:tasks:read\|nodes:admin$/);
    expect(entry).not.toContain(key);

    const cluster = await TestCluster.start({ workers: 0, env: { API_KEYS: entry } });
    try {
      expect((await cluster.request('GET', '/stats', undefined, bearer(key))).status).toBe(200);
      expect((await cluster.request('GET', '/stats')).status).toBe(401);
      const write = await cluster.request('POST', '/tasks', { type: 'echo' }, bearer(key));
      expect(write.status).toBe(403);
    } finally {
      await cluster.stop();
    }
  });

  it('refuses an unknown scope or a bad name', async () => {
    expect((await apiKeyScript('ops', 'tasks:delete')).code).toBe(2);
    expect((await apiKeyScript('o p', 'tasks:read')).code).toBe(2);
    expect((await apiKeyScript('ops')).code).toBe(2);
  });
});

describe('the shipped deployments', () => {
  it('configure API_KEYS and public readiness for the probes (Kubernetes)', () => {
    const docs = ['secret.yaml', 'configmap.yaml'].flatMap((f) =>
      parseAllDocuments(fs.readFileSync(path.join(ROOT, 'deploy/kubernetes', f), 'utf8')).map((d) =>
        d.toJS(),
      ),
    );
    const keys = docs.find((d) => d.metadata.name === 'switchyard-api-keys');
    const configMap = docs.find((d) => d.kind === 'ConfigMap');
    const config = loadConfig({ ...configMap.data, ...keys.stringData });
    expect(config.apiKeys).toHaveLength(1);
    expect(config.authPublicReadiness).toBe(true);
    expect(() => assertAuthConfigured(config)).not.toThrow();
    for (const file of ['dispatcher.yaml', 'worker.yaml']) {
      const text = fs.readFileSync(path.join(ROOT, 'deploy/kubernetes', file), 'utf8');
      expect(text).toMatch(/secretRef:\s+name: switchyard-api-keys/);
    }
  });

  it('configure API_KEYS and public readiness (Docker Compose)', () => {
    const example = fs.readFileSync(path.join(ROOT, 'docker/.env.example'), 'utf8');
    const apiKeys = /^API_KEYS=(.*)$/m.exec(example)?.[1] ?? '';
    expect(loadConfig({ API_KEYS: apiKeys }).apiKeys).toHaveLength(1);
    const compose = fs.readFileSync(path.join(ROOT, 'docker/docker-compose.yml'), 'utf8');
    expect(compose).toMatch(/API_KEYS: \$\{API_KEYS:\?/);
    expect(compose).toMatch(/AUTH_PUBLIC_READINESS: "true"/);
  });
});
