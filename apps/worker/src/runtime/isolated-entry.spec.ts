import * as path from 'node:path';
import runIsolated from './isolated-entry';

const HASH_MODULE = path.join(__dirname, '../handlers/hash.compute');

describe('runIsolated (the worker-thread entry)', () => {
  it('calls the named export and returns its value as data', async () => {
    const out = await runIsolated({
      module: HASH_MODULE,
      export: 'computeHash',
      payload: { rounds: 1 },
    });
    expect(out).toMatchObject({ ok: true, value: { rounds: 1 } });
  });

  it('turns a thrown error into data that keeps retryable: false', async () => {
    const out = await runIsolated({
      module: HASH_MODULE,
      export: 'computeHash',
      payload: { rounds: -1 },
    });
    expect(out).toEqual({ ok: false, message: expect.stringMatching(/rounds/), retryable: false });
  });

  it('reports a missing export as non-retryable', async () => {
    const out = await runIsolated({ module: HASH_MODULE, export: 'nope', payload: null });
    expect(out).toMatchObject({ ok: false, retryable: false });
  });
});
