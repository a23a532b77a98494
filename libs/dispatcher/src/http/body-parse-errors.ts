import type { ErrorRequestHandler } from 'express';

/** A JSON body that does not parse, in the shape the exception filter answers for body-parser. */
class MalformedJsonError extends Error {
  readonly status = 400;
  readonly expose = true;
  readonly type = 'entity.parse.failed';
}

/**
 * Placed right after the JSON body parser: hands its parse failures on as MalformedJsonError, so
 * the exception filter answers `malformed JSON body: ...` with its own error shape (Nest would
 * turn the parser's SyntaxError into a bare BadRequestException). Other errors pass unchanged.
 */
export function bodyParseErrors(): ErrorRequestHandler {
  return (err: unknown, _req, _res, next) => {
    const parse = err as { status?: unknown; type?: unknown; message?: unknown };
    if (
      err instanceof SyntaxError &&
      parse.status === 400 &&
      parse.type === 'entity.parse.failed'
    ) {
      next(new MalformedJsonError(String(parse.message)));
      return;
    }
    next(err);
  };
}
