import { jsonDepth, MAX_JSON_DEPTH, refuseDeepJson } from './json-depth';

const depthOf = (text: string): number => jsonDepth(Buffer.from(text, 'utf8'));
const verify = (text: string): void =>
  refuseDeepJson({} as never, {} as never, Buffer.from(text, 'utf8'));

describe('JSON nesting depth', () => {
  it.each([
    ['1', 0],
    ['{}', 1],
    ['[[], {"a": [1]}]', 3],
    ['{"a": "[[[{{{"}', 1],
    ['{"a": "\\"[[["}', 1],
    ['{"ü": ["ß", {"€": []}]}', 4],
  ])('measures %j as %i deep, ignoring brackets inside strings', (text, depth) => {
    expect(depthOf(text)).toBe(depth);
  });

  it('refuses a body one level deeper than the limit with a 400, and takes one at the limit', () => {
    const at = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    expect(() => verify(at)).not.toThrow();
    const over = '{"a":'.repeat(MAX_JSON_DEPTH + 1) + '1' + '}'.repeat(MAX_JSON_DEPTH + 1);
    expect(() => verify(over)).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('measures a body far deeper than the stack allows without recursing', () => {
    expect(depthOf('['.repeat(200_000) + ']'.repeat(200_000))).toBe(200_000);
  });
});
