import { Redis, type Command, type RedisOptions } from 'ioredis';
import { sendFcall } from './script-command';

/** A connection that never connects and hands back every command it is given. */
function capturing(options: RedisOptions): {
  redis: Redis;
  sent: Command[];
} {
  const redis = new Redis({ ...options, lazyConnect: true });
  const sent: Command[] = [];
  redis.sendCommand = (command: Command): Promise<unknown> => {
    sent.push(command);
    return Promise.resolve('OK');
  };
  return { redis, sent };
}

const ARGS = ['lease:1', 1_700_000_000_123, 0, 2, '01J0000000000000000000000A', 'w-1', '', 1.5];

describe('sendFcall', () => {
  it('puts the same command on the wire as redis.fcall', async () => {
    const { redis, sent } = capturing({});
    await redis.fcall('sy_assign', 1, 'sy:', ...ARGS);
    await sendFcall(redis, 'sy_assign', 'sy:', ARGS);
    expect(sent).toHaveLength(2);
    expect(sent[1].name).toBe('fcall');
    expect(sent[1].args).toEqual(sent[0].args);
    expect(sent[1].toWritable(undefined as never)).toEqual(sent[0].toWritable(undefined as never));
  });

  it('decodes the reply as text, as redis.fcall does', async () => {
    const { redis, sent } = capturing({});
    void sendFcall(redis, 'sy_assign', 'sy:', []);
    sent[0].resolve(Buffer.from('done'));
    await expect(sent[0].promise).resolves.toBe('done');
  });

  it('leaves a keyPrefix connection to ioredis, which prefixes the key', async () => {
    const { redis, sent } = capturing({ keyPrefix: 'app:' });
    await sendFcall(redis, 'sy_assign', 'sy:', ARGS);
    expect(sent[0].args[2]).toBe('app:sy:');
  });
});
