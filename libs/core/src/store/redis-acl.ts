/**
 * What a Switchyard process (dispatcher, worker, programmatic client) sends to Redis, for a
 * least-privilege ACL user (docs/trust-model.md). Scripts run under the caller's ACL, so the
 * data commands the Lua scripts call are listed too; a spec holds this list and the scripts
 * together.
 */
export const REDIS_ACL_COMMANDS = {
  /**
   * ioredis on every (re)connect: AUTH/HELLO, name, db, the ready check. (On Redis 7.2+ it also
   * sends CLIENT SETINFO and ignores a refusal; add `+client|setinfo` there to keep ACL LOG clean.)
   */
  connection: ['auth', 'hello', 'client|setname', 'select', 'info', 'ping', 'quit'],
  /**
   * The atomic scripts: Redis Functions (FCALL; FUNCTION LOAD of the library when a server does
   * not have it), else EVALSHA, then EVAL once per connection (lua-scripts.ts). Without
   * `fcall`/`function|load` the scripts run as EVALSHA: slower, and ACL LOG notes one refusal per
   * connection. `function|load` can replace any library on the server (docs/trust-model.md).
   */
  scripts: ['fcall', 'function|load', 'evalsha', 'eval'],
  /** The bus (Nest's Redis transport) and the client's finished-feed. */
  pubsub: ['publish', 'subscribe', 'unsubscribe'],
  /** Reads and small writes outside scripts; WAIT for SUBMIT_DURABILITY=replicas:N. */
  direct: ['multi', 'exec', 'wait', 'getrange', 'pttl', 'xread', 'xrange', 'xrevrange'],
  /** Called from the scripts, and some directly. */
  data: [
    'get',
    'set',
    'del',
    'exists',
    'mget',
    'mset',
    'incr',
    'pexpire',
    'hget',
    'hset',
    'hdel',
    'hmget',
    'hgetall',
    'hincrby',
    'lpos',
    'lpush',
    'lrange',
    'lrem',
    'ltrim',
    'sadd',
    'srem',
    'scard',
    'smembers',
    'spop',
    'srandmember',
    'xadd',
    'zadd',
    'zcard',
    'zcount',
    'zrange',
    'zrangebyscore',
    'zrank',
    'zrem',
    'zremrangebyrank',
    'zremrangebyscore',
    'zrevrange',
    'zrevrank',
    'zscore',
  ],
  /** Only with REDIS_CLUSTER_NODES: ioredis reads the slot map. */
  cluster: ['cluster|slots', 'cluster|shards', 'readonly'],
} as const;

/**
 * ACL SETUSER rules for one deployment: its keys (`{prefix}:*`, one hash tag) and channels
 * (`prefix:*`) and nothing else. Usage: `ACL SETUSER <user> ...redisAclRules(prefix, password)`.
 */
export function redisAclRules(prefix: string, password: string): string[] {
  const commands = Object.values(REDIS_ACL_COMMANDS).flat();
  return [
    'reset',
    'on',
    `>${password}`,
    `~{${prefix}}:*`,
    `&${prefix}:*`,
    '-@all',
    ...commands.map((c) => `+${c}`),
  ];
}
