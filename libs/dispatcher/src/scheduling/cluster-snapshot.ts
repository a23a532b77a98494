import {
  hasRoom,
  matchesSelector,
  type LabelSelector,
  type NodeCandidate,
  type NodeCapacity,
  type NodeStatus,
  type NodeView,
  type TaskRequirements,
} from '@switchyard/core';

/** A node as the scheduler tracks it between reads of Redis; `used` moves with each decision. */
export interface TrackedNode extends NodeCandidate {
  status: NodeStatus;
  types: ReadonlySet<string>;
  used: NodeCapacity;
}

/** What a snapshot is built from: a node as the registry lists it (NodeView), or a tracked one. */
export type SnapshotNode = Pick<
  NodeView,
  'id' | 'incarnation' | 'labels' | 'capacity' | 'used' | 'status'
> & { types: Iterable<string> };

const NOTHING_USED: NodeCapacity = Object.freeze({ slots: 0, cpu: 0, memoryMb: 0 });

/**
 * The leader's in-memory picture of the nodes: indexed by task type, updated by its own
 * decisions and by "finished" notifications, and replaced by a fresh read of Redis whenever
 * the registry version moves or a resync is due. The assign script re-checks everything it
 * relies on, so a stale picture costs a skipped decision, never a wrong commit.
 */
export class ClusterSnapshot {
  readonly nodes = new Map<string, TrackedNode>();
  private readonly byType = new Map<string, TrackedNode[]>();
  private readonly selectorCache = new Map<string, TrackedNode[]>();
  /** Candidates per (type, selector, size), kept current as decisions reserve capacity. */
  private readonly roomCache = new Map<string, { req: TaskRequirements; list: TrackedNode[] }>();
  /** Every alive node id; one array per snapshot, so strategies can cache by identity. */
  readonly allNodeIds: readonly string[];

  /** `allNodeIds`: the ids of the alive nodes among `views`, in order, when the caller has them. */
  constructor(
    views: readonly SnapshotNode[],
    readonly version: number,
    allNodeIds?: readonly string[],
  ) {
    for (const v of views) {
      if (v.status !== 'alive') continue;
      const node: TrackedNode = {
        id: v.id,
        incarnation: v.incarnation,
        labels: v.labels,
        capacity: v.capacity,
        used: { slots: v.used.slots, cpu: v.used.cpu, memoryMb: v.used.memoryMb },
        status: v.status,
        // a tracked node's set is never changed: a projection shares it
        types: v.types instanceof Set ? (v.types as ReadonlySet<string>) : new Set(v.types),
      };
      this.nodes.set(v.id, node);
      for (const type of v.types) {
        let list = this.byType.get(type);
        if (list === undefined) this.byType.set(type, (list = []));
        list.push(node);
      }
    }
    this.allNodeIds = allNodeIds ?? [...this.nodes.keys()];
  }

  /**
   * The same nodes with `used` taken from `usedOf` (nothing when it has no entry) and their
   * capacity from `capacityOf` (their own without it): the projected capacity the standby plan
   * places hints on (what each node may hold in hints, minus the hints already held).
   */
  projected(
    usedOf: ReadonlyMap<string, NodeCapacity>,
    capacityOf?: (node: TrackedNode) => NodeCapacity,
  ): ClusterSnapshot {
    const nodes: SnapshotNode[] = [];
    for (const n of this.nodes.values()) {
      const { id, incarnation, labels, capacity, status, types } = n;
      nodes.push({
        id,
        incarnation,
        labels,
        capacity: capacityOf === undefined ? capacity : capacityOf(n),
        status,
        types,
        used: usedOf.get(id) ?? NOTHING_USED,
      });
    }
    // the same alive nodes in the same order: the projection shares the id array (and the
    // strategies' caches keyed by it), and each node's type set
    return new ClusterSnapshot(nodes, this.version, this.allNodeIds);
  }

  handling(type: string): readonly TrackedNode[] {
    return this.byType.get(type) ?? [];
  }

  /** Nodes that handle the type and match the selector (cached per tick's snapshot). */
  matching(type: string, selector: LabelSelector | undefined): readonly TrackedNode[] {
    const all = this.handling(type);
    const sel = selectorKey(selector);
    if (sel === '' || selector === undefined) return all;
    const key = `${type}${sel}`;
    let list = this.selectorCache.get(key);
    if (list === undefined) {
      list = all.filter((n) => matchesSelector(n.labels, selector));
      this.selectorCache.set(key, list);
    }
    return list;
  }

  /**
   * Nodes that can take the task now. Tasks of one shape share a list that is filtered once
   * and then only loses the node a decision just filled (see reserve), so a batch of similar
   * tasks costs no scan of every node per task. Callers must not keep the array.
   */
  candidatesFor(type: string, req: TaskRequirements): readonly TrackedNode[] {
    const key = `${type}\u0000${req.slots}:${req.cpu}:${req.memoryMb}${selectorKey(req.labels)}`;
    let entry = this.roomCache.get(key);
    if (entry === undefined) {
      const list = this.matching(type, req.labels).filter((n) => hasRoom(n.capacity, n.used, req));
      this.roomCache.set(key, (entry = { req, list }));
    }
    return entry.list;
  }

  /**
   * Free slots over the nodes that handle each type: how many heads are worth reading.
   * `freeOf`: each node's free slots when not capacity minus use (the standby plan's room).
   */
  freeSlotsByType(freeOf?: ReadonlyMap<string, number>): Map<string, number> {
    const free = new Map<string, number>();
    for (const [type, nodes] of this.byType) {
      let sum = 0;
      for (const n of nodes)
        sum += freeOf?.get(n.id) ?? Math.max(0, n.capacity.slots - n.used.slots);
      if (sum > 0) free.set(type, sum);
    }
    return free;
  }

  reserve(
    nodeId: string,
    req: Pick<TaskRequirements, 'slots' | 'cpu' | 'memoryMb'>,
    sign = 1,
  ): void {
    const node = this.nodes.get(nodeId);
    if (node === undefined) return;
    // added or taken away, never multiplied by the sign: -1 × 0 is -0, a double, and a double in
    // `used` throws the optimized planning code (hasRoom, reserve, planAssignments) back to the
    // interpreter, to be compiled again
    const used = node.used;
    used.slots = moved(used.slots, req.slots, sign);
    used.cpu = moved(used.cpu, req.cpu, sign);
    used.memoryMb = moved(used.memoryMb, req.memoryMb, sign);
    if (sign < 0) {
      this.roomCache.clear(); // freed capacity can make any node a candidate again
      return;
    }
    for (const { req: shape, list } of this.roomCache.values()) {
      if (hasRoom(node.capacity, node.used, shape)) continue;
      const at = list.indexOf(node);
      if (at >= 0) list.splice(at, 1);
    }
  }
}

/** `used` moved by `amount` up (sign > 0) or down, never below 0. */
function moved(used: number, amount: number, sign: number): number {
  const v = sign > 0 ? used + amount : used - amount;
  return v > 0 ? v : 0;
}

/** A selector's part of a cache key: '' for none (most tasks), so they cost no JSON.stringify. */
function selectorKey(selector: LabelSelector | undefined): string {
  if (selector === undefined) return '';
  for (const _ in selector) return `\u0000${JSON.stringify(selector)}`;
  return '';
}
