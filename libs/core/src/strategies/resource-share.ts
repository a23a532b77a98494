import type { NodeCapacity } from '../node/node.model';
import type { TaskRequirements } from '../task/task.model';
import type { NodeCandidate } from './assignment-strategy';

type Demand = Pick<TaskRequirements, 'slots' | 'cpu' | 'memoryMb'>;

/** Share of one resource left free once `take` is placed; a resource the node does not offer counts as full. */
function freeShare(capacity: number, used: number, take: number): number {
  return capacity <= 0 ? 0 : Math.max(0, capacity - used - take) / capacity;
}

/** Free share left on each resource (slots, cpu, memory) if the task were placed on the node. */
export function freeSharesAfter(node: NodeCandidate, req: Demand): NodeCapacity {
  return {
    slots: freeShare(node.capacity.slots, node.used.slots, req.slots),
    cpu: freeShare(node.capacity.cpu, node.used.cpu, req.cpu),
    memoryMb: freeShare(node.capacity.memoryMb, node.used.memoryMb, req.memoryMb),
  };
}

/**
 * Mean free share over the resources the task asks for (slots always; cpu and memory when
 * requested): a task that claims no memory should not be steered by memory.
 */
export function meanFreeShareAfter(node: NodeCandidate, req: Demand): number {
  const free = freeSharesAfter(node, req);
  let sum = free.slots;
  let count = 1;
  if (req.cpu > 0) {
    sum += free.cpu;
    count++;
  }
  if (req.memoryMb > 0) {
    sum += free.memoryMb;
    count++;
  }
  return sum / count;
}
