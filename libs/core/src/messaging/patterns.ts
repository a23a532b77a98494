/**
 * Bus patterns (Nest Redis transport event names). Channels are `<prefix>:<pattern>`, and
 * for per-node patterns `<prefix>:<pattern>:<nodeId>` (see ChannelNaming). Every message is
 * a notification: the fact it announces is already committed in Redis.
 */
export const Patterns = {
  /** client/HTTP → leader: tasks were queued, tick now. */
  TasksSubmitted: 'tasks.submitted',
  /** worker → everyone: attempts finished (capacity freed; waiters can read results). */
  TasksFinished: 'tasks.finished',
  /** worker/dispatcher → leader: a node joined, left or changed status. */
  NodesChanged: 'nodes.changed',
  /** leader → one node: tasks were assigned to it. */
  NodeAssigned: 'node.assigned',
  /** dispatcher → one node: leased tasks were cancelled; abort their handlers. */
  NodeCancel: 'node.cancel',
  /** dispatcher → dispatchers: the leader gave up its lease (shutdown); standbys try to take it now. */
  LeaderReleased: 'leader.released',
  /** dispatcher → one node: drain (stop taking work, finish, hand back, leave). */
  NodeDrain: 'node.drain',
} as const;

export type Pattern = (typeof Patterns)[keyof typeof Patterns];

/** Patterns delivered to a single node (the channel carries the node id). */
export const PER_NODE_PATTERNS: readonly Pattern[] = [
  Patterns.NodeAssigned,
  Patterns.NodeCancel,
  Patterns.NodeDrain,
];

export class ChannelNaming {
  constructor(private readonly prefix: string) {}

  channel(pattern: string, nodeId?: string): string {
    return nodeId === undefined
      ? `${this.prefix}:${pattern}`
      : `${this.prefix}:${pattern}:${nodeId}`;
  }

  isPerNode(pattern: string): boolean {
    return (PER_NODE_PATTERNS as readonly string[]).includes(pattern);
  }
}
