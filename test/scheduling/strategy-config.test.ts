import { randomBytes } from 'node:crypto';
import { AppProcess, DISPATCHER_MAIN } from '../support/app-process';
import { SHARED_REDIS_URL } from '../support/redis-server';

/** A dispatcher configured with a strategy nobody provides refuses to start, and says why. */
describe('strategy configuration at start', () => {
  const env = (extra: Record<string, string>): Record<string, string> => ({
    REDIS_URL: SHARED_REDIS_URL,
    SWITCHYARD_PREFIX: `t${randomBytes(5).toString('hex')}`,
    // no API keys here: the strategy check is what must stop the start
    SWITCHYARD_INSECURE_NO_AUTH: 'true',
    ...extra,
  });

  it.each([
    [
      'DEFAULT_STRATEGY',
      { DEFAULT_STRATEGY: 'fastest' },
      /DEFAULT_STRATEGY: strategy "fastest" is not provided; known: affinity, best-fit, least-loaded, power-of-two, round-robin, spread/,
    ],
    [
      'STRATEGY_BY_TYPE',
      { STRATEGY_BY_TYPE: '{"render":"gpu-first"}' },
      /STRATEGY_BY_TYPE \(type render\): strategy "gpu-first" is not provided/,
    ],
  ])('fails the start for an unknown name in %s', async (_what, extra, message) => {
    let failure: Error | undefined;
    try {
      const app = await AppProcess.start('dispatcher-bad-strategy', DISPATCHER_MAIN, env(extra));
      await app.stop('SIGKILL');
    } catch (err) {
      failure = err as Error;
    }
    expect(failure?.message).toMatch(/exited before listening/);
    expect(failure?.message).toMatch(message);
  });
});
