import { Redis, type Command, type RedisOptions } from 'ioredis';
import { PrebuiltCommand, sendFcall, WIRE_PIECES_MIN_CHARS } from './script-command';

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

/** A batch submit's worth of arguments (~200k characters), with 2-, 3- and 4-byte characters. */
const LARGE_ARGS = Array.from({ length: 600 }, (_, i) => [
  `01J${String(i).padStart(23, '0')}`,
  '',
  'queued',
  1_700_000_000_000 + i,
  `h|t|0|3|30000|0|0\n{"text":"${'é中😀 "q" \\\\ x'.repeat(20)}${'x'.repeat(i)}"}`,
]).flat();

/** What a command puts on a socket: toWritable writes early pieces to it, then returns the rest. */
function wireOf(command: Command): Buffer {
  const written: Buffer[] = [];
  const last = command.toWritable({ write: (chunk: Buffer) => written.push(chunk) });
  return Buffer.concat([...written, Buffer.from(last)]);
}

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

  it('writes a large command as the same bytes as redis.fcall, in pieces of at most 48 KB', async () => {
    const { redis, sent } = capturing({});
    await redis.fcall('sy_submit', 1, 'sy:', ...LARGE_ARGS);
    await sendFcall(redis, 'sy_submit', 'sy:', LARGE_ARGS);
    const [viaMethod, viaPieces] = sent;
    expect(viaPieces).toBeInstanceOf(PrebuiltCommand);
    expect(viaPieces.args).toEqual(viaMethod.args);
    const expected = Buffer.from(viaMethod.toWritable(undefined as never));
    expect(expected.length).toBeGreaterThan(WIRE_PIECES_MIN_CHARS * 2);
    // Buffer.equals: a deep toEqual of ~500 KB takes seconds
    expect(wireOf(viaPieces).equals(expected)).toBe(true);
    // without a socket to write to (not how ioredis calls it), the whole text at once
    expect(expected.equals(viaPieces.toWritable(undefined as never) as Buffer)).toBe(true);
    const { pieces } = viaPieces as PrebuiltCommand;
    expect(pieces.length).toBeGreaterThan(4);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(48 * 1024 + 2048);
  });

  it('leaves a command below the piece size to ioredis as one string', async () => {
    const { redis, sent } = capturing({});
    const args = LARGE_ARGS.slice(0, 50);
    await sendFcall(redis, 'sy_submit', 'sy:', args);
    expect(sent[0]).not.toBeInstanceOf(PrebuiltCommand);
    expect(typeof sent[0].toWritable(undefined as never)).toBe('string');
  });

  it('leaves a large command of many short arguments (an assign call) to ioredis as one string', async () => {
    const { redis, sent } = capturing({});
    // 2,000 decisions: task id, node id, incarnation (~90k characters, ~12 an argument)
    const args = Array.from({ length: 2000 }, (_, i) => [
      `01J${String(i).padStart(23, '0')}`,
      `fake-${i % 1000}`,
      1,
    ]).flat();
    expect(args.join('').length).toBeGreaterThan(WIRE_PIECES_MIN_CHARS);
    await sendFcall(redis, 'sy_assign', 'sy:', args);
    expect(sent[0]).not.toBeInstanceOf(PrebuiltCommand);
    expect(typeof sent[0].toWritable(undefined as never)).toBe('string');
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
