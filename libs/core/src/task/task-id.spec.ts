import { decodeTime } from 'ulid';
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

  it('read their submit time as ulid decodeTime does, over the whole time range and either case', () => {
    const times = [0, 1, 31, 32, 1_700_000_000_000, Date.now(), 2 ** 48 - 1];
    for (let i = 0; i < 500; i++) times.push(Math.floor(Math.random() * 2 ** 48));
    for (const t of times) {
      const id = newTaskId(t);
      expect(submittedAtOf(id)).toBe(decodeTime(id));
      expect(submittedAtOf(id.toLowerCase())).toBe(decodeTime(id.toLowerCase()));
    }
  });

  it.each([
    ['a wrong length', '01ARZ3NDEKTSV4RRFFQ69G5FA'],
    ['a character outside the alphabet', '01ARZ3NDEUTSV4RRFFQ69G5FAV'],
    ['a character past ASCII', '01ARZ3NDEéTSV4RRFFQ69G5FAV'],
    ['a timestamp over 48 bits', '80000000000000000000000000'],
  ])('throw ulid decodeTime’s error for %s', (_, id) => {
    const thrown = (read: (id: string) => number): unknown => {
      try {
        read(id);
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(thrown(decodeTime)).toBeInstanceOf(Error);
    expect(thrown(submittedAtOf)).toEqual(thrown(decodeTime));
  });
});

describe('task ids made in one millisecond', () => {
  // a fresh generator: the one above has seen the largest time, and ids never go back in time
  const fresh = (): typeof import('./task-id') => {
    let mod: typeof import('./task-id') | undefined;
    jest.isolateModules(() => {
      mod = jest.requireActual<typeof import('./task-id')>('./task-id');
    });
    return mod as typeof import('./task-id');
  };

  it('stay ordered past carries through several random characters', () => {
    const { newTaskId: next } = fresh();
    const now = Date.UTC(2026, 10, 30, 5, 0, 0);
    const ids = Array.from({ length: 70_000 }, () => next(now));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++)
      if (!(ids[i] > ids[i - 1])) throw new Error(`not ordered at ${i}`);
    expect(ids.every((id) => isTaskId(id) && submittedAtOf(id) === now)).toBe(true);
  });

  it('keep the last time when the clock goes back, as ulid monotonic ids do', () => {
    const { newTaskId: next } = fresh();
    const now = Date.UTC(2026, 10, 30, 6, 0, 0);
    const first = next(now);
    const earlier = next(now - 1000);
    expect(submittedAtOf(earlier)).toBe(now);
    expect(earlier > first).toBe(true);
  });
});
