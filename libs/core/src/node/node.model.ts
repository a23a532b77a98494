import type { LabelSelector } from '../task/task.model';

export const NODE_STATUSES = ['alive', 'suspect', 'draining', 'dead'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

export interface NodeCapacity {
  slots: number;
  /** Millicores. */
  cpu: number;
  memoryMb: number;
}

/** What a worker announces when it registers. */
export interface NodeRegistration {
  id: string;
  types: string[];
  capacity: NodeCapacity;
  labels: Record<string, string>;
  hostname: string;
  pid: number;
}

/** A node as the registry knows it (GET /nodes). */
export interface NodeView extends NodeRegistration {
  incarnation: number;
  status: NodeStatus;
  used: NodeCapacity;
  registeredAt: number;
  lastHeartbeatAt: number;
  lastCompletionAt?: number;
  /** Tasks currently leased to this incarnation. */
  inFlight: number;
}

export type { LabelSelector };
