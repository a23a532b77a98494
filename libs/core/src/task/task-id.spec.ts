import { isTaskId, newTaskId, submittedAtOf } from './task-id';

describe('task ids', () => {
  it('are valid ULIDs carrying their submit time', () => {
    const now = Date.UTC(2026, 10, 30, 4, 0, 0);
    const id = newTaskId(now);
    expect(isTaskId(id)).toBe(true);
    expect(submittedAtOf(id)).toBe(now);
  });

  it('stay unique and strictly ordered across many ids in one millisecond (past the byte pool)', () => {
    const now = Date.now();
    const ids = Array.from({ length: 5000 }, () => newTaskId(now));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
  });

  it('use every character of the alphabet in their random part', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) for (const c of newTaskId(0).slice(10)) seen.add(c);
    expect(seen.size).toBe(32);
  });
});
