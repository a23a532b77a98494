import type { NodeStatus, NodeView } from '@switchyard/core';

/** What a scheduling spec says about a node; the rest is the same everywhere. */
export interface NodeViewShape {
  slots: number;
  usedSlots?: number;
  types?: string[];
  labels?: Record<string, string>;
  status?: NodeStatus;
  incarnation?: number;
}

/** A node as the registry lists it (4000 cpu, 4096 MB, none of them used), for the specs. */
export function nodeView(id: string, shape: NodeViewShape): NodeView {
  const used = shape.usedSlots ?? 0;
  return {
    id,
    types: shape.types ?? ['echo'],
    capacity: { slots: shape.slots, cpu: 4000, memoryMb: 4096 },
    labels: shape.labels ?? {},
    hostname: 'h',
    pid: 1,
    incarnation: shape.incarnation ?? 1,
    status: shape.status ?? 'alive',
    used: { slots: used, cpu: 0, memoryMb: 0 },
    registeredAt: 0,
    lastHeartbeatAt: 0,
    inFlight: used,
  };
}
