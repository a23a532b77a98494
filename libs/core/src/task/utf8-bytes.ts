/**
 * True when `text` takes more than `max` bytes as UTF-8. A UTF-16 unit is one to three bytes
 * of UTF-8, so the length alone settles every text but those within a factor of three of the
 * bound: only they are counted (a byte count scans the whole text, a visible cost for every
 * payload, result and bus message on the hot paths).
 */
export function exceedsUtf8Bytes(text: string, max: number): boolean {
  return text.length > max || (text.length * 3 > max && Buffer.byteLength(text, 'utf8') > max);
}
