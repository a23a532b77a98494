import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_VARIABLES } from '@switchyard/core';
import { parse } from 'yaml';
import {
  envOf,
  instructions,
  parseDockerfile,
  type DockerStage,
} from '../support/dockerfile-parser';

// No Docker engine runs here: these checks read the files. `docker compose config` (or
// `docker-compose config`) parses the compose file without an engine; see docs/deployment.md.
const ROOT = path.resolve(__dirname, '..', '..');
const CONFIG_NAMES = new Set(Object.values(CONFIG_VARIABLES).map((v) => v.name));
const APPS = { dispatcher: 3000, worker: 3001 } as const;

function dockerignore(): string[] {
  return fs
    .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** Whether the build context keeps `file` (our .dockerignore uses plain paths and `**` prefixes only). */
function inContext(file: string): boolean {
  return !dockerignore().some((pattern) => {
    const p = pattern.replace(/^\*\*\//, '');
    const anywhere = pattern.startsWith('**/');
    const re = new RegExp(
      `^${anywhere ? '(.*/)?' : ''}${p.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}(/.*)?$`,
    );
    return re.test(file);
  });
}

describe.each(Object.entries(APPS))('docker/%s.Dockerfile', (app, port) => {
  const stages = parseDockerfile(path.join(ROOT, `docker/${app}.Dockerfile`));
  const runtime = stages[stages.length - 1];
  const stage = (name: string): DockerStage => stages.find((s) => s.name === name) as DockerStage;

  it('is multi-stage on node:20-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    for (const s of stages) expect(s.from).toBe('node:20-slim');
  });

  it('builds the workspace with scripts/build.js and ships production dependencies only', () => {
    expect(instructions(stage('build'), 'RUN').join('\n')).toMatch(/node scripts\/build\.js/);
    expect(instructions(stage('deps'), 'RUN').join('\n')).toMatch(/npm ci --omit=dev/);
    const copies = instructions(runtime, 'COPY');
    expect(copies).toContain('--from=deps /app/node_modules ./node_modules');
    expect(copies.some((c) => c.startsWith('--from=build') && c.includes('node_modules'))).toBe(
      false,
    );
    // the workspace packages resolve through node_modules/@switchyard/* -> libs/*
    expect(copies).toContain('--from=build /app/libs/core/package.json ./libs/core/package.json');
    expect(copies).toContain('--from=build /app/libs/core/dist ./libs/core/dist');
    // and the app's runtime package (@switchyard/dispatcher or @switchyard/worker)
    expect(copies).toContain(
      `--from=build /app/libs/${app}/package.json ./libs/${app}/package.json`,
    );
    expect(copies).toContain(`--from=build /app/libs/${app}/dist ./libs/${app}/dist`);
  });

  it(`runs dist/apps/${app}/main.js, where tsc writes the app`, () => {
    const tsconfig = JSON.parse(
      fs.readFileSync(path.join(ROOT, `apps/${app}/tsconfig.app.json`), 'utf8'),
    );
    const outDir = path.relative(
      ROOT,
      path.resolve(ROOT, `apps/${app}`, tsconfig.compilerOptions.outDir),
    );
    expect(outDir).toBe(`dist/apps/${app}`);
    expect(instructions(runtime, 'COPY')).toContain(`--from=build /app/${outDir} ./${outDir}`);
    expect(JSON.parse(instructions(runtime, 'CMD')[0])).toEqual(['node', `${outDir}/main.js`]);
  });

  it('runs as a non-root user under an init process that forwards signals', () => {
    const users = instructions(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
    expect(JSON.parse(instructions(runtime, 'ENTRYPOINT')[0])).toEqual(['/usr/bin/tini', '--']);
    expect(instructions(runtime, 'RUN').join('\n')).toMatch(/apt-get install .*tini/);
  });

  it(`listens on a fixed PORT (${port}) and checks /health/live on it`, () => {
    const env = envOf(runtime);
    expect(env.PORT).toBe(String(port));
    expect(env.HOST).toBe('0.0.0.0');
    expect(instructions(runtime, 'EXPOSE')).toEqual([String(port)]);
    const [healthcheck] = instructions(runtime, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/process\.env\.PORT/);
    expect(healthcheck).toMatch(/\/health\/live/);
    const command = JSON.parse(healthcheck.replace(/^.*?CMD\s+/, ''));
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    expect(() => new Function(command[2])).not.toThrow();
  });

  it('sets only variables the config schema knows (besides NODE_ENV)', () => {
    const names = Object.keys(envOf(runtime)).filter((n) => n !== 'NODE_ENV');
    expect(names.filter((n) => !CONFIG_NAMES.has(n))).toEqual([]);
  });

  it('copies only files that exist and that .dockerignore keeps in the context', () => {
    for (const s of stages) {
      for (const copy of instructions(s, 'COPY').filter((c) => !c.startsWith('--from'))) {
        const sources = copy.split(/\s+/).slice(0, -1);
        for (const source of sources) {
          expect([source, fs.existsSync(path.join(ROOT, source))]).toEqual([source, true]);
          expect([source, inContext(source)]).toEqual([source, true]);
        }
      }
    }
  });
});

describe('docker/docker-compose.yml', () => {
  const compose = parse(fs.readFileSync(path.join(ROOT, 'docker/docker-compose.yml'), 'utf8'), {
    merge: true,
  });
  const services = compose.services as Record<string, any>;
  const built = (dockerfile: string): [string, any][] =>
    Object.entries(services).filter(([, s]) => s.build?.dockerfile === dockerfile);
  const dispatchers = built('docker/dispatcher.Dockerfile');
  const workers = built('docker/worker.Dockerfile');
  const apps = [...dispatchers, ...workers];

  it('runs Redis with AOF, a password, a volume and a health check', () => {
    const redis = services.redis;
    const command = (redis.command as string[]).join(' ');
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--appendfsync always/);
    expect(command).toMatch(/--requirepass \$\{REDIS_PASSWORD:\?/);
    expect(redis.volumes).toEqual(['redis-data:/data']);
    expect(redis.healthcheck.test.join(' ')).toMatch(/redis-cli ping/);
    expect(redis.restart).toBe('unless-stopped');
  });

  it('runs two dispatchers and three workers built from the Dockerfiles', () => {
    expect(dispatchers).toHaveLength(2);
    expect(workers).toHaveLength(3);
    for (const [, s] of apps) expect(s.build.context).toBe('..');
  });

  it('gives every app the password-protected Redis, a restart policy and a health check on its PORT', () => {
    for (const [name, s] of apps) {
      expect([name, s.environment.REDIS_URL]).toEqual([
        name,
        expect.stringMatching(/^redis:\/\/:\$\{REDIS_PASSWORD:\?.*\}@redis:6379$/),
      ]);
      expect([name, s.restart]).toEqual([name, 'unless-stopped']);
      expect([name, s.depends_on.redis.condition]).toEqual([name, 'service_healthy']);
      const probe = (s.healthcheck.test as string[]).join(' ');
      expect([name, probe]).toEqual([
        name,
        expect.stringContaining(`127.0.0.1:${s.environment.PORT}/health/live`),
      ]);
    }
  });

  it('publishes each dispatcher on its own host port, to the container PORT', () => {
    const published = dispatchers.map(([, s]) => s.ports[0] as string);
    expect(new Set(published.map((p) => p.split(':')[0])).size).toBe(2);
    for (const [, s] of dispatchers) expect(s.ports[0].split(':')[1]).toBe(s.environment.PORT);
  });

  it('gives workers distinct node ids and a stop grace longer than their drain', () => {
    expect(new Set(workers.map(([, s]) => s.environment.NODE_ID)).size).toBe(3);
    for (const [, s] of workers) {
      const graceMs = Number(/^(\d+)s$/.exec(s.stop_grace_period)?.[1]) * 1000;
      expect(graceMs).toBeGreaterThan(Number(s.environment.DRAIN_GRACE_MS));
    }
  });

  it('sets only variables the config schema knows', () => {
    for (const [name, s] of apps) {
      const unknown = Object.keys(s.environment).filter((n) => !CONFIG_NAMES.has(n));
      expect([name, unknown]).toEqual([name, []]);
    }
  });
});
