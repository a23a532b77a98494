#!/usr/bin/env node
// Measures dispatcher leader takeover: kill -9 (crash), SIGSTOP (pause past the TTL) and
// SIGTERM (graceful release). Starts its own redis-server on a free port and two dispatchers
// from dist/ (run `node scripts/build.js` first), polls the lease key in Redis every 2 ms,
// and prints min/median/max per case against the bound (TTL + one renewal interval).
//
//   node bench/ha-takeover.js [--rounds 5] [--ttl 2000] [--renew 300]
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Redis } = require('ioredis');

const root = path.resolve(__dirname, '..');
const DISPATCHER_MAIN = path.join(root, 'dist/apps/dispatcher/main.js');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const ROUNDS = arg('rounds', 5);
const TTL_MS = arg('ttl', 2000);
const RENEW_MS = arg('renew', 300);
const PREFIX = 'hatakeover';
const LEADER_KEY = `{${PREFIX}}:leader`;

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function until(read, ok, timeoutMs, what, intervalMs = 2) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

const children = new Set();

function startDispatcher(redisUrl) {
  const proc = spawn(process.execPath, [DISPATCHER_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      REDIS_URL: redisUrl,
      SWITCHYARD_PREFIX: PREFIX,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SWITCHYARD_INSECURE_NO_AUTH: 'true',
      LEADER_LEASE_TTL_MS: String(TTL_MS),
      LEADER_RENEW_INTERVAL_MS: String(RENEW_MS),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(proc);
  const exited = new Promise((resolve) =>
    proc.once('exit', () => (children.delete(proc), resolve())),
  );
  return { proc, exited };
}

/** The id (lease token) of whoever holds the lease, or null. */
async function holder(redis) {
  const v = await redis.get(LEADER_KEY);
  return v === null ? null : v.slice(v.indexOf(':') + 1);
}

/** Which of the registry's dispatchers is `d` (by pid). */
async function idOf(redis, d) {
  return until(
    async () => {
      for (const id of await redis.zrange(`{${PREFIX}}:dispatchers`, 0, -1)) {
        if (Number(await redis.hget(`{${PREFIX}}:d:${id}`, 'pid')) === d.proc.pid) return id;
      }
      return null;
    },
    (id) => id !== null,
    30_000,
    'a dispatcher to register',
    20,
  );
}

async function round(redis, redisUrl, pair, kind) {
  const ids = await Promise.all(pair.map((d) => idOf(redis, d)));
  const leaderId = await until(
    () => holder(redis),
    (h) => ids.includes(h),
    30_000,
    'a leader',
  );
  const leader = pair[ids.indexOf(leaderId)];
  const standby = pair[1 - ids.indexOf(leaderId)];
  const standbyId = ids[1 - ids.indexOf(leaderId)];
  const leaseLeftMs = await redis.pttl(LEADER_KEY);
  const t0 = Date.now();
  leader.proc.kill(kind === 'kill -9' ? 'SIGKILL' : kind === 'SIGSTOP' ? 'SIGSTOP' : 'SIGTERM');
  await until(
    () => holder(redis),
    (h) => h === standbyId,
    60_000,
    'the standby to lead',
  );
  const ms = Date.now() - t0;
  if (kind === 'SIGSTOP') leader.proc.kill('SIGKILL'); // a fresh standby replaces it below
  await leader.exited;
  const replacement = startDispatcher(redisUrl);
  return { ms, leaseLeftMs, pair: [standby, replacement] };
}

function summary(kind, samples) {
  const stats = (values) => {
    const v = [...values].sort((x, y) => x - y);
    return `min ${v[0]}, median ${v[Math.floor(v.length / 2)]}, max ${v[v.length - 1]}`;
  };
  const ms = samples.map((s) => s.ms);
  if (kind === 'SIGTERM')
    return `${kind.padEnd(8)} takeover ms: ${stats(ms)} (released: no wait for expiry)`;
  const bound = TTL_MS + RENEW_MS;
  const over = ms.filter((m) => m > bound).length;
  const afterExpiry = samples.map((s) => s.ms - s.leaseLeftMs);
  return (
    `${kind.padEnd(8)} takeover ms: ${stats(ms)} (bound TTL + renewal = ${bound} ms, over bound: ${over}; ` +
    `after the lease expired: ${stats(afterExpiry)})`
  );
}

async function main() {
  if (!fs.existsSync(DISPATCHER_MAIN)) throw new Error('build first: node scripts/build.js');
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-ha-bench-'));
  const redisProc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  const redisUrl = `redis://127.0.0.1:${port}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on('error', () => undefined); // refused until redis-server listens
  try {
    await until(
      () => redis.ping().catch(() => null),
      (pong) => pong === 'PONG',
      10_000,
      'redis-server',
      50,
    );
    let pair = [startDispatcher(redisUrl), startDispatcher(redisUrl)];
    const results = {};
    for (const kind of ['kill -9', 'SIGSTOP', 'SIGTERM']) {
      results[kind] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const r = await round(redis, redisUrl, pair, kind);
        pair = r.pair;
        results[kind].push(r);
      }
    }
    process.stdout.write(
      `dispatcher takeover, ${ROUNDS} rounds each, TTL ${TTL_MS} ms, renewal ${RENEW_MS} ms\n`,
    );
    for (const [kind, samples] of Object.entries(results))
      process.stdout.write(`${summary(kind, samples)}\n`);
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await redis.quit().catch(() => redis.disconnect());
    redisProc.kill('SIGTERM');
    await new Promise((r) => redisProc.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
});
