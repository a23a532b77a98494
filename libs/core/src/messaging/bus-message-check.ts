import { exceedsUtf8Bytes } from '../task/utf8-bytes';
import { describeProblem } from './message-schema';
import { MESSAGE_SCHEMAS } from './messages';
import { Patterns, type Pattern } from './patterns';

/** Why a bus message was dropped (the `reason` label of switchyard_bus_messages_dropped_total). */
export type DropReason = 'oversized' | 'unparseable' | 'malformed' | 'unknown-pattern' | 'invalid';

export type BusVerdict =
  { ok: true; data: unknown } | { ok: false; reason: DropReason; detail: string };

/** MAX_BUS_MESSAGE_BYTES's default, for a server or publisher built without the config. */
export const DEFAULT_MAX_BUS_MESSAGE_BYTES = 8 * 1024 * 1024;

const KNOWN_PATTERNS = new Set<string>(Object.values(Patterns));

/**
 * Checks a raw message heard on `pattern`'s channel, in the order that costs least for
 * garbage: byte size, JSON, the transport envelope `{pattern, data}` (events only: a request
 * with an `id` would make Nest publish a reply), the pattern it names, then the pattern's
 * schema. The detail never quotes the message itself (it may be huge or carry anything).
 */
export function checkBusMessage(pattern: Pattern, raw: string, maxBytes: number): BusVerdict {
  if (exceedsUtf8Bytes(raw, maxBytes))
    return { ok: false, reason: 'oversized', detail: `over ${maxBytes} bytes` };
  let packet: unknown;
  try {
    packet = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'unparseable', detail: 'not JSON' };
  }
  if (typeof packet !== 'object' || packet === null || Array.isArray(packet))
    return { ok: false, reason: 'malformed', detail: 'not a {pattern, data} object' };
  const { pattern: named, data, id } = packet as Record<string, unknown>;
  if (id !== undefined)
    return { ok: false, reason: 'malformed', detail: 'a request, not an event' };
  if (typeof named !== 'string' || !KNOWN_PATTERNS.has(named))
    return { ok: false, reason: 'unknown-pattern', detail: 'names no known pattern' };
  if (named !== pattern)
    return { ok: false, reason: 'malformed', detail: `names ${named}, not this channel's pattern` };
  const schema = MESSAGE_SCHEMAS[pattern] as (typeof MESSAGE_SCHEMAS)[Pattern] | undefined;
  if (schema === undefined)
    return { ok: false, reason: 'unknown-pattern', detail: 'no contract for this channel' };
  const problem = schema(data);
  return problem === null
    ? { ok: true, data }
    : { ok: false, reason: 'invalid', detail: describeProblem(problem) };
}
