import { Injectable } from '@nestjs/common';
import {
  Strategy,
  slotLoad,
  type AssignmentStrategy,
  type NodeCandidate,
  type SchedulableTask,
  type StrategyContext,
} from './assignment-strategy';

/**
 * "Power of two choices": two distinct candidates at random, the less loaded wins. O(1) per
 * decision whatever the cluster size, and the most loaded node carries about ln ln n / ln 2
 * tasks against ln n / ln ln n for one random choice (see bench/strategies).
 */
@Injectable()
@Strategy('power-of-two')
export class PowerOfTwoStrategy implements AssignmentStrategy {
  select(
    _task: SchedulableTask,
    candidates: readonly NodeCandidate[],
    ctx: StrategyContext,
  ): NodeCandidate | null {
    const n = candidates.length;
    if (n === 0) return null;
    if (n === 1) return candidates[0];
    const i = Math.min(n - 1, Math.floor(ctx.random() * n));
    // the second pick is uniform over the other n - 1 candidates
    let j = Math.min(n - 2, Math.floor(ctx.random() * (n - 1)));
    if (j >= i) j++;
    const a = candidates[i];
    const b = candidates[j];
    return slotLoad(b) < slotLoad(a) ? b : a;
  }
}
