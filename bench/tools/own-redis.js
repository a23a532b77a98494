// A throwaway redis-server for the tools (never the shared one): a free port, no persistence,
// and a connected ioredis client. `stop()` closes the client and the server.
const { spawn } = require('node:child_process');
const net = require('node:net');
const Redis = require('ioredis');

function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startOwnRedis() {
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  // refused while the server starts: ioredis retries every 50 ms until it is ready
  const redis = new Redis({ port, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on('error', () => {});
  const stop = () => {
    redis.disconnect();
    server.kill('SIGTERM');
  };
  let timer;
  try {
    await new Promise((resolve, reject) => {
      redis.once('ready', resolve);
      timer = setTimeout(
        () => reject(new Error(`redis-server on port ${port} did not start`)),
        10_000,
      );
    });
  } catch (err) {
    stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return { port, redis, stop };
}

/**
 * Switchyard's stores on that server under `prefix`, from the core build the tool loaded
 * (`core`, so a tool can compare two builds).
 */
function ownStores(core, { port, redis }, prefix) {
  const config = core.loadConfig({
    SWITCHYARD_PREFIX: prefix,
    REDIS_URL: `redis://127.0.0.1:${port}`,
  });
  const keys = new core.Keyspace(prefix);
  return {
    config,
    keys,
    tasks: new core.TaskStore(redis, keys, config),
    nodes: new core.NodeStore(redis, keys, config),
  };
}

module.exports = { startOwnRedis, ownStores };
