import { checkJsonDepth, jsonDepth, JsonTooDeepError } from './json-depth';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('jsonDepth', () => {
  it.each([
    ['1', 0],
    ['"text"', 0],
    ['{}', 1],
    ['[]', 1],
    ['{"a":[1,{"b":2}]}', 3],
    ['[[],[[]],[]]', 3],
    ['{"a":"[[[{{{"}', 1],
    ['{"a":"\\"[[["}', 1],
    ['{"a":"\\\\","b":[[1]]}', 3],
    ['{"a":"x\\\\\\"[","b":[[1]]}', 3],
    ['["open string [[[', 1],
    ['{"ключ":["значение",{"ü":[]}]}', 4],
  ])('measures %s as %i levels', (text, depth) => {
    expect(jsonDepth(bytes(text))).toBe(depth);
  });

  it('measures 100,000 levels without recursion', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(jsonDepth(bytes(deep))).toBe(100_000);
  });

  it('stops counting once past the bound', () => {
    expect(jsonDepth(bytes('['.repeat(1000)), 10)).toBe(11);
  });
});

describe('checkJsonDepth', () => {
  it('admits a body at the limit and refuses one level more with a 400 naming MAX_JSON_DEPTH', () => {
    const check = checkJsonDepth(3);
    expect(() => check(null, null, bytes('[[[1]]]'))).not.toThrow();
    let thrown: unknown;
    try {
      check(null, null, bytes('[[[[1]]]]'));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(JsonTooDeepError);
    expect(thrown).toMatchObject({ status: 400, expose: true });
    expect((thrown as Error).message).toMatch(/more than 3 levels deep \(MAX_JSON_DEPTH\)/);
  });
});
