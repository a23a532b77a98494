import type { NodeCapacity, NodeStatus } from '../node/node.model';

/**
 * A node's entry in the node-state hash (`Keyspace.nodeStates`), as the scripts write it
 * (`encode_node` in scripts/_nodes.lua):
 * "<incarnation>|<status>|<slots>|<cpu>|<memory MB>|<used slots>|<used cpu>|<used memory MB>|<last completion>",
 * the last completion empty until the node's first.
 */
export interface NodeState {
  incarnation: number;
  status: NodeStatus;
  capacity: NodeCapacity;
  used: NodeCapacity;
  lastCompletionAt?: number;
}

const FIELDS = 9;

/** Decodes one entry; throws on a value that is not nine '|'-separated fields. */
export function decodeNodeState(text: string): NodeState {
  const f = text.split('|');
  if (f.length !== FIELDS) throw new Error(`corrupt node state "${text}"`);
  const n = f.map(Number);
  const state: NodeState = {
    incarnation: n[0],
    status: f[1] as NodeStatus,
    capacity: { slots: n[2], cpu: n[3], memoryMb: n[4] },
    used: { slots: n[5], cpu: n[6], memoryMb: n[7] },
  };
  if (f[8] !== '') state.lastCompletionAt = n[8];
  return state;
}
