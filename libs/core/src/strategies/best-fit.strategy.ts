import { Injectable } from '@nestjs/common';
import {
  Strategy,
  type AssignmentStrategy,
  type NodeCandidate,
  type SchedulableTask,
} from './assignment-strategy';
import { meanFreeShareAfter } from './resource-share';

/**
 * Bin packing: the candidate left with the least free capacity once the task is placed
 * (mean free share of slots, and of cpu and memory when the task asks for them). Fills
 * nodes before opening new ones, which keeps whole nodes free for large tasks. Ties go to
 * the lower node id, so a replay decides the same.
 */
@Injectable()
@Strategy('best-fit')
export class BestFitStrategy implements AssignmentStrategy {
  select(task: SchedulableTask, candidates: readonly NodeCandidate[]): NodeCandidate | null {
    let best: NodeCandidate | null = null;
    let bestLeft = Infinity;
    for (const node of candidates) {
      const left = meanFreeShareAfter(node, task.requirements);
      if (left < bestLeft || (left === bestLeft && best !== null && node.id < best.id)) {
        best = node;
        bestLeft = left;
      }
    }
    return best;
  }
}
