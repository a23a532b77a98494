import { hasRoom } from '../node/eligibility';
import type { TaskRequirements } from '../task/task.model';
import { slotLoad, type NodeCandidate } from './assignment-strategy';

interface Entry {
  node: NodeCandidate;
  load: number;
  free: number;
  /** Position in the candidate list: ties go to the earlier node, as a scan would. */
  at: number;
}

function keyOf(node: NodeCandidate, at: number): Entry {
  return { node, load: slotLoad(node), free: node.capacity.slots - node.used.slots, at };
}

/** a before b: smaller share of slots in use, then more free slots, then list order. */
function before(a: Entry, b: Entry): boolean {
  if (a.load !== b.load) return a.load < b.load;
  if (a.free !== b.free) return a.free > b.free;
  return a.at < b.at;
}

/**
 * The least-loaded node of one candidate list, in O(log n) per decision: a binary min-heap
 * ordered by (slot share, −free slots, list position), built once per list.
 *
 * It relies on what ClusterSnapshot guarantees while one list is in use (a tick's decisions):
 * a node's load only grows (a decision reserved capacity on it) and a node leaves the list only
 * when it has no room for the list's task shape. So keys are checked lazily when they reach the
 * top: a key that grew is pushed back with its new value (a stale key is never too high, so a
 * top whose key is current is the true minimum), and a node without room is dropped. A list
 * that gains nodes gets a fresh index. A wrong pick could only cost balance, never
 * correctness: the assign script re-checks capacity.
 */
export class LoadIndex {
  private heap: Entry[] = [];

  constructor(candidates: readonly NodeCandidate[]) {
    this.rebuild(candidates);
  }

  /** Whether the index can still answer for this list (it has not gained nodes). */
  fits(candidates: readonly NodeCandidate[]): boolean {
    return candidates.length <= this.heap.length;
  }

  /** The least-loaded node with room for `req`, or null; the node stays in the index. */
  best(req: TaskRequirements): NodeCandidate | null {
    const heap = this.heap;
    while (heap.length > 0) {
      const top = heap[0];
      const node = top.node;
      if (!hasRoom(node.capacity, node.used, req)) {
        this.pop();
        continue;
      }
      const now = keyOf(node, top.at);
      if (now.load === top.load && now.free === top.free) return node;
      this.pop();
      this.push(now);
    }
    return null;
  }

  private rebuild(candidates: readonly NodeCandidate[]): void {
    this.heap = candidates.map((node, at) => keyOf(node, at));
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop() as Entry;
    if (heap.length === 0) return;
    heap[0] = last;
    this.down(0);
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < n && before(heap[l], heap[min])) min = l;
      if (r < n && before(heap[r], heap[min])) min = r;
      if (min === i) return;
      [heap[i], heap[min]] = [heap[min], heap[i]];
      i = min;
    }
  }
}
