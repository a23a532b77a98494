const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * Where the string opened at `open` ends: the next quote not escaped, i.e. not preceded by an
 * odd run of backslashes. Found with indexOf (native), as strings (payloads) are most of a body.
 * The text's length when it does not end.
 */
function stringEnd(text: Uint8Array, open: number): number {
  let quote = text.indexOf(QUOTE, open + 1);
  while (quote !== -1) {
    let backslashes = 0;
    while (text[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf(QUOTE, quote + 1);
  }
  return text.length;
}

/**
 * The deepest nesting of objects and arrays in a JSON text, scanned byte by byte without
 * parsing (no recursion, so any depth is safe to measure). Stops counting once `stopAbove` is
 * passed. Brackets inside strings do not count; UTF-8 continuation bytes never equal these
 * ASCII bytes, so scanning bytes is exact.
 */
export function jsonDepth(text: Uint8Array, stopAbove = Infinity): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i];
    if (byte === QUOTE) {
      i = stringEnd(text, i);
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
    }
  }
  return deepest;
}

/** A body-parser error: 400, exposed, with a message naming the limit. */
export class JsonTooDeepError extends Error {
  readonly status = 400;
  readonly statusCode = 400;
  readonly expose = true;
  readonly type = 'json.too.deep';

  constructor(maxDepth: number) {
    super(
      `request body nests objects and arrays more than ${maxDepth} levels deep (MAX_JSON_DEPTH)`,
    );
  }
}

/** A body-parser `verify` step: refuses too-deep JSON before it is parsed or validated. */
export function checkJsonDepth(
  maxDepth: number,
): (req: unknown, res: unknown, buf: Buffer) => void {
  return (_req, _res, buf) => {
    if (jsonDepth(buf, maxDepth) > maxDepth) throw new JsonTooDeepError(maxDepth);
  };
}
