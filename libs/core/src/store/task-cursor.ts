import { InvalidInputError } from '../errors/switchyard.error';

/** Opaque paging cursors of the task lists: the last id and score of a page, base64url JSON. */
export function encodeCursor(id: string, score: string): string {
  return Buffer.from(JSON.stringify([id, score])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      value[0].length > 0 &&
      value[0].length <= 128 &&
      typeof value[1] === 'string' &&
      (value[1] === '' || Number.isFinite(Number(value[1])))
    ) {
      return [value[0], value[1]];
    }
  } catch {
    /* fall through */
  }
  throw new InvalidInputError(
    'cursor is not one this server issued (pass nextCursor from the previous page)',
  );
}
