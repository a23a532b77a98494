// A redis-server under valgrind's callgrind, for the instruction-count tools (redis-instructions,
// assign-instructions, phase-instructions): counts repeat to ~1% where wall-clock µs do not.
// CALLGRIND_REDIS_SERVER names another redis-server binary: Debian's is stripped, so its Lua
// internals show as addresses; a build of the same source with symbols names them (bench/README.md,
// "Where Redis spends a script's instructions").
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const Redis = require('ioredis');

/**
 * Starts it on a random port with callgrind writing to `out`. `atStart: false`: nothing is
 * counted until collect('on'). Returns the connection, `exited` (resolves with callgrind's
 * stderr once the server stops), collect('on' | 'off'), and dump(): the instructions since the
 * last dump (callgrind writes `<out>.<n>` per dump; lastDumpFile() names the latest).
 */
async function underCallgrind(out, { atStart = true } = {}) {
  const port = 20000 + Math.floor(Math.random() * 10000);
  const server = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      ...(atStart ? [] : ['--instr-atstart=no']),
      `--callgrind-out-file=${out}`,
      process.env.CALLGRIND_REDIS_SERVER || 'redis-server',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => server.on('exit', () => resolve(log)));
  const redis = new Redis({ port, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  redis.on('error', () => {});
  await new Promise((resolve) => redis.once('ready', resolve));
  const control = (...args) =>
    execFileSync('callgrind_control', [...args, String(server.pid)], { stdio: 'ignore' });
  let dumps = 0;
  return {
    port,
    redis,
    exited,
    collect: (on) => control('-i', on),
    dump: () => {
      control('-d');
      dumps++;
      const text = fs.readFileSync(`${out}.${dumps}`, 'utf8');
      return Number(/^summary: (\d+)/m.exec(text)[1]);
    },
    lastDumpFile: () => `${out}.${dumps}`,
  };
}

module.exports = { underCallgrind };
