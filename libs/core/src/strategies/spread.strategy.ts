import { Injectable } from '@nestjs/common';
import {
  Strategy,
  type AssignmentStrategy,
  type NodeCandidate,
  type SchedulableTask,
} from './assignment-strategy';
import { meanFreeShareAfter } from './resource-share';

/**
 * The opposite of best-fit: the candidate left with the most free capacity once the task is
 * placed (mean free share of slots, and of cpu and memory when the task asks for them).
 * Unlike least-loaded, which counts slots only, it sees cpu and memory pressure too.
 */
@Injectable()
@Strategy('spread')
export class SpreadStrategy implements AssignmentStrategy {
  select(task: SchedulableTask, candidates: readonly NodeCandidate[]): NodeCandidate | null {
    let best: NodeCandidate | null = null;
    let bestLeft = -Infinity;
    for (const node of candidates) {
      const left = meanFreeShareAfter(node, task.requirements);
      if (left > bestLeft || (left === bestLeft && best !== null && node.id < best.id)) {
        best = node;
        bestLeft = left;
      }
    }
    return best;
  }
}
