import { Injectable } from '@nestjs/common';
import {
  Strategy,
  slotLoad,
  type AssignmentStrategy,
  type NodeCandidate,
  type SchedulableTask,
  type StrategyContext,
} from './assignment-strategy';

/** The node with the smallest share of its slots in use; ties go to the one with most free slots. */
@Injectable()
@Strategy('least-loaded')
export class LeastLoadedStrategy implements AssignmentStrategy {
  select(
    _task: SchedulableTask,
    candidates: readonly NodeCandidate[],
    _ctx?: StrategyContext,
  ): NodeCandidate | null {
    let best: NodeCandidate | null = null;
    let bestLoad = Infinity;
    let bestFree = -1;
    for (const node of candidates) {
      const load = slotLoad(node);
      const free = node.capacity.slots - node.used.slots;
      if (load < bestLoad || (load === bestLoad && free > bestFree)) {
        best = node;
        bestLoad = load;
        bestFree = free;
      }
    }
    return best;
  }
}
