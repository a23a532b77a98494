import { loadConfig } from '../config/switchyard-config';
import { InvalidInputError, LimitExceededError } from '../errors/switchyard.error';
import { checkTasks, toTaskSpec } from './task-input';

const config = loadConfig({ MAX_PAYLOAD_BYTES: '64' });
const now = 1_764_470_000_000;

describe('checking submitted inputs', () => {
  it('fills the defaults, in the spec key order callers have always seen', () => {
    const spec = toTaskSpec(
      {
        type: 'echo',
        retry: { backoff: 'fixed', baseMs: 1, capMs: 2, jitter: 0 },
        delayMs: 5,
        affinityKey: 'a',
        idempotencyKey: 'k',
      },
      config,
      now,
    );
    expect(Object.keys(spec)).toEqual([
      'type',
      'payload',
      'priority',
      'requirements',
      'maxAttempts',
      'timeoutMs',
      'idempotencyKey',
      'affinityKey',
      'runAt',
      'retry',
    ]);
    expect(spec).toMatchObject({ payload: null, priority: 0, runAt: now + 5 });
    expect(spec.requirements).toEqual({ slots: 1, cpu: 0, memoryMb: 0, labels: {} });
  });

  it('keeps each payload as the JSON text whose size it checked', () => {
    const inputs = [{ type: 'echo', payload: { a: [1] } }, { type: 'echo' }];
    const { specs, payloadJsons } = checkTasks(inputs, config, now);
    expect(payloadJsons).toEqual(['{"a":[1]}', 'null']);
    expect(specs.map((s) => s.payload)).toEqual([{ a: [1] }, null]);
  });

  it('serialises a payload object repeated by consecutive inputs once per run of it', () => {
    const calls: string[] = [];
    const payload = (name: string): object => ({ toJSON: () => (calls.push(name), { name }) });
    const a = payload('a');
    const b = payload('b');
    const inputs = [a, a, a, b, a].map((p) => ({ type: 'echo', payload: p }));
    const { specs, payloadJsons } = checkTasks(inputs, config, now);
    expect(calls).toEqual(['a', 'b', 'a']);
    expect(payloadJsons).toEqual(['a', 'a', 'a', 'b', 'a'].map((n) => `{"name":"${n}"}`));
    expect(specs.map((s) => s.payload)).toEqual([a, a, a, b, a]);
  });

  it('counts UTF-8 bytes against MAX_PAYLOAD_BYTES', () => {
    // 20 three-byte characters: 22 UTF-16 units with the quotes, 62 bytes
    expect(() => toTaskSpec({ type: 'echo', payload: '€'.repeat(20) }, config, now)).not.toThrow();
    expect(() => toTaskSpec({ type: 'echo', payload: '€'.repeat(21) }, config, now)).toThrow(
      new LimitExceededError('MAX_PAYLOAD_BYTES', 'payload is 65 bytes; the limit is 64'),
    );
  });

  it('names the field, with the index of the input in a batch of several', () => {
    expect(() => checkTasks([{ type: 'echo', priority: 2000 }], config, now)).toThrow(
      new InvalidInputError('priority must be an integer from -1000 to 1000'),
    );
    expect(() =>
      checkTasks([{ type: 'echo' }, { type: 'echo', requirements: { slots: 0 } }], config, now),
    ).toThrow(
      new InvalidInputError('tasks[1].requirements.slots must be an integer from 1 to 10000'),
    );
    expect(() => checkTasks([{ type: 'echo' }, { type: 'bad type' }], config, now)).toThrow(
      /^tasks\[1\]\.type must match/,
    );
  });
});
