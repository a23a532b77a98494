import { splitAssignment } from './assignment-split';
import type { AssignedTask } from './messages';

const task = (i: number, payloadBytes: number): AssignedTask => ({
  id: `01JD${String(i).padStart(22, '0')}`,
  lease: 1,
  attempt: 1,
  type: 'echo',
  timeoutMs: 1000,
  payload: JSON.stringify('x'.repeat(payloadBytes)),
  slots: 1,
  cpu: 0,
  memoryMb: 0,
});
const size = (v: unknown): number =>
  Buffer.byteLength(JSON.stringify({ pattern: 'node.assigned', data: v }));

describe('splitAssignment', () => {
  it('keeps a small announcement whole', () => {
    const msg = { node: 'w1', incarnation: 1, tasks: [task(1, 10), task(2, 10)] };
    expect(splitAssignment(msg, 64 * 1024)).toEqual({ parts: [msg], omitted: [] });
  });

  it('splits a large one into messages under the cap, keeping every task once and in order', () => {
    const tasks = Array.from({ length: 40 }, (_, i) => task(i, 5000));
    const { parts, omitted } = splitAssignment({ node: 'w1', incarnation: 1, tasks }, 64 * 1024);
    expect(omitted).toEqual([]);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.flatMap((p) => p.tasks)).toEqual(tasks);
    for (const p of parts) {
      expect(size(p)).toBeLessThanOrEqual(64 * 1024);
      expect(p).toMatchObject({ node: 'w1', incarnation: 1 });
    }
  });

  it('leaves out a task too large for any message (the worker reads it from Redis)', () => {
    const huge = task(2, 100 * 1024);
    const { parts, omitted } = splitAssignment(
      { node: 'w1', incarnation: 1, tasks: [task(1, 10), huge] },
      64 * 1024,
    );
    expect(omitted).toEqual([huge]);
    expect(parts.flatMap((p) => p.tasks.map((t) => t.id))).toEqual([task(1, 10).id]);
  });
});
