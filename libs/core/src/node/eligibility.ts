import type { LabelSelector, TaskRequirements } from '../task/task.model';
import type { NodeCapacity } from './node.model';

/** True when `labels` satisfy every requirement of the selector (exact, `in`, `notIn`). */
export function matchesSelector(
  labels: Readonly<Record<string, string>>,
  selector: LabelSelector,
): boolean {
  for (const [key, want] of Object.entries(selector)) {
    const have = labels[key];
    if (typeof want === 'string') {
      if (have !== want) return false;
    } else if ('in' in want) {
      if (have === undefined || !want.in.includes(have)) return false;
    } else if (have !== undefined && want.notIn.includes(have)) {
      return false;
    }
  }
  return true;
}

/** True when a node with this capacity and usage can take a task with these requirements now. */
export function hasRoom(
  capacity: NodeCapacity,
  used: NodeCapacity,
  req: Pick<TaskRequirements, 'slots' | 'cpu' | 'memoryMb'>,
): boolean {
  return (
    used.slots + req.slots <= capacity.slots &&
    used.cpu + req.cpu <= capacity.cpu &&
    used.memoryMb + req.memoryMb <= capacity.memoryMb
  );
}

/** Could a node of this size ever take the task (ignoring what it runs now)? */
export function couldEverFit(
  capacity: NodeCapacity,
  req: Pick<TaskRequirements, 'slots' | 'cpu' | 'memoryMb'>,
): boolean {
  return (
    req.slots <= capacity.slots && req.cpu <= capacity.cpu && req.memoryMb <= capacity.memoryMb
  );
}
