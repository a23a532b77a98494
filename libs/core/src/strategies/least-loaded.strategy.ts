import { Injectable } from '@nestjs/common';
import {
  Strategy,
  slotLoad,
  type AssignmentStrategy,
  type NodeCandidate,
  type SchedulableTask,
  type StrategyContext,
} from './assignment-strategy';
import { LoadIndex } from './load-index';

/** Below this many candidates a plain scan is cheaper than keeping an index. */
const INDEX_FROM = 32;

/**
 * The node with the smallest share of its slots in use; ties go to the one with most free slots,
 * then to the earlier candidate. Long candidate lists (the dispatcher reuses one list for every
 * task of a shape during a tick) get a LoadIndex, so a decision costs O(log n), not a scan.
 */
@Injectable()
@Strategy('least-loaded')
export class LeastLoadedStrategy implements AssignmentStrategy {
  private readonly indexes = new WeakMap<readonly NodeCandidate[], LoadIndex>();

  select(
    task: SchedulableTask,
    candidates: readonly NodeCandidate[],
    _ctx?: StrategyContext,
  ): NodeCandidate | null {
    if (candidates.length < INDEX_FROM) return scan(candidates);
    let index = this.indexes.get(candidates);
    if (index === undefined || !index.fits(candidates)) {
      index = new LoadIndex(candidates);
      this.indexes.set(candidates, index);
    }
    return index.best(task.requirements);
  }
}

function scan(candidates: readonly NodeCandidate[]): NodeCandidate | null {
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
