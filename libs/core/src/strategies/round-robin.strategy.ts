import { Injectable } from '@nestjs/common';
import {
  Strategy,
  type AssignmentStrategy,
  type NodeCandidate,
  type SchedulableTask,
} from './assignment-strategy';

/**
 * Takes the candidates in turn, by node id: the next id after the one chosen last for the
 * task's type, wrapping around. Remembering an id (not an index) keeps the rotation fair when
 * the candidate list changes between tasks (nodes fill up, join or leave).
 */
@Injectable()
@Strategy('round-robin')
export class RoundRobinStrategy implements AssignmentStrategy {
  /** Last node chosen per task type; one entry per type, so bounded by the types in use. */
  private readonly last = new Map<string, string>();

  select(task: SchedulableTask, candidates: readonly NodeCandidate[]): NodeCandidate | null {
    const previous = this.last.get(task.type);
    let next: NodeCandidate | null = null;
    let first: NodeCandidate | null = null;
    for (const node of candidates) {
      if (first === null || node.id < first.id) first = node;
      if (previous !== undefined && node.id > previous && (next === null || node.id < next.id))
        next = node;
    }
    const chosen = next ?? first;
    if (chosen !== null) this.last.set(task.type, chosen.id);
    return chosen;
  }
}
