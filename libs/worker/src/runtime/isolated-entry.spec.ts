import * as path from 'node:path';
import runIsolated from './isolated-entry';

const FIXTURE = path.join(__dirname, 'isolated-entry.fixture');

describe('runIsolated (the worker-thread entry)', () => {
  it('calls the named export and returns its value as data', async () => {
    const out = await runIsolated({
      module: FIXTURE,
      export: 'double',
      payload: { n: 2 },
    });
    expect(out).toEqual({ ok: true, value: { n: 4 } });
  });

  it('turns a thrown error into data that keeps retryable: false', async () => {
    const out = await runIsolated({
      module: FIXTURE,
      export: 'double',
      payload: { n: -1 },
    });
    expect(out).toEqual({
      ok: false,
      message: expect.stringMatching(/payload.n/),
      retryable: false,
    });
  });

  it('reports a missing export as non-retryable', async () => {
    const out = await runIsolated({ module: FIXTURE, export: 'nope', payload: null });
    expect(out).toMatchObject({ ok: false, retryable: false });
  });
});
