import type { TaskView } from '../task/task.model';
import type { ClientBackend } from './client-backend';
import { SwitchyardClient } from './switchyard-client';

const view = (id: string, state: TaskView['state']): TaskView =>
  ({ id, state, payload: { big: 'x' }, history: [] }) as unknown as TaskView;

describe('waiting for states only', () => {
  it('falls back to waitFor on a backend without waitForStates, keeping only id and state', async () => {
    const backend = {
      waitFor: jest.fn(async (ids: readonly string[]) =>
        ids.map((id, i) => view(id, i === 0 ? 'failed' : 'succeeded')),
      ),
      submitBatch: jest.fn(),
    } as unknown as ClientBackend;
    const client = new SwitchyardClient(backend);
    await expect(client.waitForStates(['a', 'b'], { timeoutMs: 5 })).resolves.toEqual([
      { id: 'a', state: 'failed' },
      { id: 'b', state: 'succeeded' },
    ]);
    expect(backend.waitFor).toHaveBeenCalledWith(['a', 'b'], { timeoutMs: 5 });
  });

  it('uses the states-only wait of a backend that has one', async () => {
    const states = [{ id: 'a', state: 'cancelled' as const }];
    const backend = {
      waitFor: jest.fn(),
      waitForStates: jest.fn(async () => states),
      submitBatch: jest.fn(),
    } as unknown as ClientBackend;
    await expect(new SwitchyardClient(backend).waitForStates(['a'])).resolves.toBe(states);
    expect(backend.waitFor).not.toHaveBeenCalled();
  });
});
