import { Injectable } from '@nestjs/common';
import {
  Strategy,
  type AssignmentStrategy,
  type NodeCandidate,
  type SchedulableTask,
} from '@switchyard/core';

/** The label that names a node's zone, and the zones from cheapest to dearest. */
export const ZONE_LABEL = 'zone';
export const ZONES_BY_PRICE = ['spot', 'on-demand'];

/**
 * Places a task in the cheapest zone that has room (candidates already have room), and within
 * it on the node with the most free slots. Nodes without a known zone come last.
 */
@Injectable()
@Strategy('cheapest-zone')
export class CheapestZoneStrategy implements AssignmentStrategy {
  select(_task: SchedulableTask, candidates: readonly NodeCandidate[]): NodeCandidate | null {
    let best: NodeCandidate | null = null;
    for (const node of candidates) {
      if (best === null || this.better(node, best)) best = node;
    }
    return best;
  }

  private better(a: NodeCandidate, b: NodeCandidate): boolean {
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return ra < rb;
    return a.capacity.slots - a.used.slots > b.capacity.slots - b.used.slots;
  }
}

function rank(node: NodeCandidate): number {
  const i = ZONES_BY_PRICE.indexOf(node.labels[ZONE_LABEL] ?? '');
  return i === -1 ? ZONES_BY_PRICE.length : i;
}
