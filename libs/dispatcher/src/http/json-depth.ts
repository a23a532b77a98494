import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Deepest nesting of objects and arrays a request body may have. Parsing is iterative, but
 * validation (Nest's ValidationPipe, class-transformer) recurses once per level: a body like
 * `{"a":{"a":...}}` 20,000 levels deep overflowed the stack and answered 500.
 */
export const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** How deep the JSON text in `buf` nests (brackets inside strings do not count). One pass, no recursion. */
export function jsonDepth(buf: Uint8Array): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_OBJECT || b === OPEN_ARRAY) deepest = Math.max(deepest, ++depth);
    else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) depth--;
  }
  return deepest;
}

/**
 * body-parser `verify` hook: refuses a body nested deeper than MAX_JSON_DEPTH before it is
 * parsed. body-parser turns the thrown error into a 400 the exception filter reports.
 */
export function refuseDeepJson(_req: IncomingMessage, _res: ServerResponse, buf: Buffer): void {
  if (jsonDepth(buf) > MAX_JSON_DEPTH) {
    throw Object.assign(new Error(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`), {
      status: 400,
      type: 'entity.too.deep',
    });
  }
}
