import { createHash } from 'node:crypto';
import { computeHash } from './hash.compute';

describe('computeHash (the hash task, run in a worker thread)', () => {
  it('applies SHA-256 the given number of rounds', () => {
    const once = createHash('sha256').update('abc').digest('hex');
    const twice = createHash('sha256').update(once).digest('hex');
    expect(computeHash({ rounds: 2, input: 'abc' })).toEqual({ digest: twice, rounds: 2 });
  });

  it('hashes for a given time when forMs is set', () => {
    const out = computeHash({ forMs: 20, input: 'x' });
    expect(out.rounds).toBeGreaterThan(0);
    expect(out.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([[{ rounds: 0 }], [{ rounds: 1.5 }], [{ forMs: -1 }], [{ forMs: 10_000_000 }]])(
    'rejects %j with a non-retryable error',
    (payload) => {
      expect(() => computeHash(payload)).toThrow(expect.objectContaining({ retryable: false }));
    },
  );
});
