import { ConfigError } from '../errors/switchyard.error';
import { Keyspace } from './keyspace';

/** Redis Cluster hash slot of a key: CRC16 of the hash tag (or the whole key). */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('the keyspace', () => {
  const keys = new Keyspace('sy');

  it('puts every key under the prefix as a hash tag, so scripts stay in one cluster slot', () => {
    const all = [
      keys.task('01ABC'),
      keys.queue('email.send'),
      keys.queueTypes,
      keys.delayed,
      keys.blocked,
      keys.dependents('01ABC'),
      keys.failed,
      keys.finished,
      keys.idempotency('order-1'),
      keys.node('w1'),
      keys.nodeStates,
      keys.nodeLeases('w1'),
      keys.nodes,
      keys.heartbeats,
      keys.nodesVersion,
      keys.leader,
      keys.epoch,
      keys.counters,
      keys.rateLimit('abc'),
    ];
    for (const key of all) {
      expect(key.startsWith('{sy}:')).toBe(true);
      expect(hashTag(key)).toBe('sy');
    }
    expect(new Set(all).size).toBe(all.length);
  });

  it('separates deployments by prefix in keys and channels', () => {
    const other = new Keyspace('blue');
    expect(other.task('x')).toBe('{blue}:t:x');
    expect(other.channel('tasks.submitted')).toBe('blue:tasks.submitted');
    expect(keys.channel('tasks.submitted')).toBe('sy:tasks.submitted');
  });

  it.each(['', 'has space', 'a{b}', 'x'.repeat(33), 'semi:colon'])(
    'refuses the prefix %j',
    (prefix) => {
      expect(() => new Keyspace(prefix)).toThrow(ConfigError);
    },
  );
});
