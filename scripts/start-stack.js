#!/usr/bin/env node
// `npm start`: the whole local stack for a person trying Switchyard. Uses REDIS_URL (default
// redis://127.0.0.1:6379); if nothing answers there, starts a redis-server of its own (AOF on,
// data under .switchyard/, a free port). Then one dispatcher (PORT, default 3000) and WORKERS
// workers (default 2), with prefixed logs. Ctrl-C stops everything, Redis last.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { Redis } = require('ioredis');

const root = path.resolve(__dirname, '..');
const children = [];
let ownRedis = null;
let stopping = false;

function say(message) {
  process.stdout.write(`[switchyard] ${message}\n`);
}

function prefixLines(name, stream, out) {
  let buffered = '';
  stream.on('data', (chunk) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) out.write(`[${name}] ${line}\n`);
  });
}

async function redisAnswers(url) {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1500,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

async function startOwnRedis() {
  const dir = path.join(root, '.switchyard', 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--dir', dir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  prefixLines('redis', proc.stdout, process.stdout);
  prefixLines('redis', proc.stderr, process.stderr);
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(url))) {
    if (Date.now() > deadline || proc.exitCode !== null)
      throw new Error('the redis-server we started did not answer');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  ownRedis = proc;
  say(
    `no Redis answered; started redis-server on ${url} (AOF on, data in ${path.relative(root, dir)}/)`,
  );
  return url;
}

function startApp(name, main, env) {
  const proc = spawn(process.execPath, [path.join(root, main)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(name, proc.stdout, process.stdout);
  prefixLines(name, proc.stderr, process.stderr);
  proc.on('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping the stack`);
      void stop(1);
    }
  });
  children.push({ name, proc });
  return proc;
}

function waitExit(proc, timeoutMs) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      resolve();
    }, timeoutMs);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  say('stopping: workers drain first, then the dispatcher, then Redis');
  const workers = children.filter((c) => c.name.startsWith('worker'));
  workers.forEach((c) => c.proc.kill('SIGTERM'));
  await Promise.all(workers.map((c) => waitExit(c.proc, 40_000)));
  const others = children.filter((c) => !c.name.startsWith('worker'));
  others.forEach((c) => c.proc.kill('SIGTERM'));
  await Promise.all(others.map((c) => waitExit(c.proc, 15_000)));
  if (ownRedis) {
    ownRedis.kill('SIGTERM');
    await waitExit(ownRedis, 10_000);
  }
  say('stopped');
  process.exit(code);
}

async function main() {
  let redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  if (!(await redisAnswers(redisUrl))) {
    if (!onPath('redis-server')) {
      process.stderr.write(
        `[switchyard] no Redis answers at ${redisUrl}, and redis-server is not installed.\n` +
          '[switchyard] Install Redis 7 (e.g. `apt-get install redis-server`) or set REDIS_URL to a running one.\n',
      );
      process.exit(1);
    }
    redisUrl = await startOwnRedis();
  } else {
    say(`using Redis at ${redisUrl}`);
  }
  const workers = Number(process.env.WORKERS ?? 2);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) {
    process.stderr.write('[switchyard] WORKERS must be an integer from 0 to 64\n');
    process.exit(1);
  }
  const base = {
    ...process.env,
    REDIS_URL: redisUrl,
    LOG_PRETTY: process.env.LOG_PRETTY ?? 'true',
    SWITCHYARD_INSECURE_NO_AUTH: process.env.SWITCHYARD_INSECURE_NO_AUTH ?? 'true',
  };
  if (base.SWITCHYARD_INSECURE_NO_AUTH === 'true' && !process.env.API_KEYS) {
    say(
      'development mode: no API keys configured, HTTP is open (SWITCHYARD_INSECURE_NO_AUTH=true). Never do this in production: see docs/security.md.',
    );
  }
  const port = process.env.PORT || '3000';
  startApp('dispatcher', 'dist/apps/dispatcher/main.js', { ...base, PORT: port });
  for (let i = 1; i <= workers; i++) {
    startApp(`worker-${i}`, 'dist/apps/worker/main.js', {
      ...base,
      PORT: '0',
      NODE_ID: process.env.NODE_ID_PREFIX ? `${process.env.NODE_ID_PREFIX}-${i}` : `worker-${i}`,
    });
  }
  say(`dispatcher on http://127.0.0.1:${port} with ${workers} worker(s). Try:`);
  say(
    `  curl -s -XPOST localhost:${port}/tasks -H 'content-type: application/json' -d '{"type":"echo","payload":{"hi":1}}'`,
  );
  say('Ctrl-C stops everything.');
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
main().catch((err) => {
  process.stderr.write(`[switchyard] ${err.message}\n`);
  void stop(1);
});
