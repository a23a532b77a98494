import { decodeRefill } from './standby-hints';

const T1 = '01JD0000000000000000000001';
const T2 = '01JD0000000000000000000002';

/** One task of finish.lua's reply in the three pieces task_json_parts() makes. */
function pieces(id: string, payload: unknown): string[] {
  return [
    `{"id":"${id}","lease":2,"attempt":1,"type":"noop","timeoutMs":30000,"input":`,
    JSON.stringify(payload),
    ',"slots":1,"cpu":0,"memoryMb":0}',
  ];
}

describe('decodeRefill (the standby tasks of a finish reply)', () => {
  it('joins each task from its three pieces, in order', () => {
    const tasks = decodeRefill([...pieces(T1, { a: 1 }), ...pieces(T2, 'x,y')]);
    expect(tasks.map((t) => [t.id, t.input])).toEqual([
      [T1, { a: 1 }],
      [T2, 'x,y'],
    ]);
    expect(tasks[0]).toMatchObject({ lease: 2, attempt: 1, type: 'noop', slots: 1 });
  });

  it('reads no pieces, or no standby entry at all, as no tasks', () => {
    expect(decodeRefill([])).toEqual([]);
    expect(decodeRefill(undefined)).toEqual([]);
  });

  it('throws on a reply that is not whole tasks', () => {
    expect(() => decodeRefill('[]')).toThrow(/pieces of three/);
    expect(() => decodeRefill(pieces(T1, 1).slice(0, 2))).toThrow(/pieces of three/);
    expect(() => decodeRefill(['{"id":1}', '', ''])).toThrow(/finish reply/);
  });
});
