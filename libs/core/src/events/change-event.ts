/**
 * Change events as the scripts write them to the `events` stream: one stream entry per script
 * run holds the changes that run committed (a batch is one entry). A reader sees each change
 * as its own event whose id is `<stream entry id>.<index>`, so a client resuming after any
 * event (SSE Last-Event-ID) skips exactly what it has seen.
 */
/** `progress`: a running task reported progress (state stays `running`; read the task for it). */
export type ChangeKind = 'task' | 'node' | 'progress';

export interface ChangeEvent {
  /** `<stream id>.<index>`: ordered, unique, resumable. */
  id: string;
  kind: ChangeKind;
  /** Task id or node id. */
  subject: string;
  /** New task state or node status. */
  state: string;
  /** Task type (task events). */
  type?: string;
  /** Node involved (assigned/running/retry of a task). */
  node?: string;
  /** Commit time, epoch ms (from the stream id). */
  at: number;
}

export interface StreamEntry {
  id: string;
  /** The `e` field: JSON array of {k, s, ty?, n?, ids: [...]} groups (or single {k, id, s, ty?, n?}). */
  body: string;
}

/** A position in the event sequence: after `index` of stream entry `entryId` (-1 = before all of it). */
export interface EventCursor {
  entryId: string;
  index: number;
}

const STREAM_ID = /^(\d{1,16})-(\d{1,16})$/;
const EVENT_ID = /^(\d{1,16}-\d{1,16})(?:\.(\d{1,6}))?$/;

/** Parses an event id (or a bare stream id); null when it is not one. */
export function parseEventId(raw: string): EventCursor | null {
  const m = EVENT_ID.exec(raw.trim());
  if (m === null) return null;
  return { entryId: m[1], index: m[2] === undefined ? Number.MAX_SAFE_INTEGER : Number(m[2]) };
}

/** Orders Redis stream ids ("ms-seq"). */
export function compareStreamIds(a: string, b: string): number {
  const ma = STREAM_ID.exec(a);
  const mb = STREAM_ID.exec(b);
  if (ma === null || mb === null) throw new RangeError(`not a stream id: ${ma === null ? a : b}`);
  return Number(ma[1]) - Number(mb[1]) || Number(ma[2]) - Number(mb[2]);
}

interface RawEvent {
  k?: unknown;
  id?: unknown;
  ids?: unknown;
  s?: unknown;
  ty?: unknown;
  n?: unknown;
}

function isKind(k: unknown): k is ChangeKind {
  return k === 'task' || k === 'node' || k === 'progress';
}

/** The events of one stream entry; malformed items are skipped, never thrown. */
export function decodeEntry(entry: StreamEntry): ChangeEvent[] {
  let items: unknown;
  try {
    items = JSON.parse(entry.body);
  } catch {
    return [];
  }
  if (!Array.isArray(items)) return [];
  const at = Number(entry.id.split('-')[0]);
  const events: ChangeEvent[] = [];
  // index: the event's place in the entry; a group of n ids is n places, any other item one
  let index = 0;
  const add = (item: RawEvent, subject: unknown): void => {
    const place = index++;
    if (!isKind(item.k) || typeof subject !== 'string' || typeof item.s !== 'string') return;
    events.push({
      id: `${entry.id}.${place}`,
      kind: item.k,
      subject,
      state: item.s,
      ...(typeof item.ty === 'string' && { type: item.ty }),
      ...(typeof item.n === 'string' && { node: item.n }),
      at,
    });
  };
  for (const item of items as RawEvent[]) {
    if (typeof item === 'object' && item !== null && Array.isArray(item.ids)) {
      for (const id of item.ids as unknown[]) add(item, id);
    } else {
      add(typeof item === 'object' && item !== null ? item : {}, item?.id);
    }
  }
  return events;
}

/** True when the event at (`entryId`, `index`) comes after `cursor`. */
export function isAfter(cursor: EventCursor, entryId: string, index: number): boolean {
  const order = compareStreamIds(entryId, cursor.entryId);
  return order > 0 || (order === 0 && index > cursor.index);
}
