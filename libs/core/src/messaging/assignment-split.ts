import type { AssignedTask, NodeAssignedMessage } from './messages';

/** Room left in a message for the transport envelope, the node id and the incarnation. */
const ENVELOPE_BYTES = 512;
/** A task's fields besides its payload, encoded: well below this. */
const TASK_FIELDS_BYTES = 512;
/** JSON escaping turns one UTF-16 unit into at most 6 bytes (\u001f). */
const MAX_BYTES_PER_UNIT = 6;

/**
 * Splits a node's assignment announcement into messages no larger than `maxBytes` (receivers
 * drop larger ones). Usually one message, found without encoding anything: the bound on the
 * encoded size holds for any payload. A task too large for any message is left out: the
 * worker finds it on its next read of its leases (CLAIM_INTERVAL_MS).
 */
export function splitAssignment(
  msg: NodeAssignedMessage,
  maxBytes: number,
): { parts: NodeAssignedMessage[]; omitted: AssignedTask[] } {
  const room = maxBytes - ENVELOPE_BYTES;
  let bound = 0;
  for (const t of msg.tasks) bound += TASK_FIELDS_BYTES + MAX_BYTES_PER_UNIT * t.payload.length;
  if (bound <= room) return { parts: [msg], omitted: [] };

  const parts: NodeAssignedMessage[] = [];
  const omitted: AssignedTask[] = [];
  let tasks: AssignedTask[] = [];
  let size = 0;
  for (const t of msg.tasks) {
    const bytes = Buffer.byteLength(JSON.stringify(t), 'utf8') + 1;
    if (bytes > room) {
      omitted.push(t);
      continue;
    }
    if (size + bytes > room) {
      parts.push({ ...msg, tasks });
      tasks = [];
      size = 0;
    }
    tasks.push(t);
    size += bytes;
  }
  if (tasks.length > 0) parts.push({ ...msg, tasks });
  return { parts, omitted };
}
