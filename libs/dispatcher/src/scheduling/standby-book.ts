import { Injectable } from '@nestjs/common';
import type { NodeCapacity } from '@switchyard/core';

/** A standby hint the leader wrote (or is writing) for a node. */
export interface StandbyHint {
  taskId: string;
  nodeId: string;
  incarnation: number;
  type: string;
  req: NodeCapacity;
  /** When Redis drops it (its deadline in the node's list). */
  expiresAt: number;
}

/**
 * The leader's memory of the standby hints it wrote (STANDBY_ASSIGNMENTS), so a pass does not
 * plan the same queue heads again: their ids are read past, and their needs count against each
 * node's projected capacity. Entries go when a finish announces them taken or dropped, when they
 * expire, and all at once when leadership changes. A stale entry costs at most a delay of one
 * hint lifetime for its task, never a wrong commit: every taking re-checks (scripts/_standby.lua).
 */
@Injectable()
export class StandbyBook {
  /** In insertion order, which is expiry order (every hint lives the same STANDBY_TTL_MS). */
  private readonly byId = new Map<string, StandbyHint>();
  private readonly byType = new Map<string, Set<string>>();
  /** What the hints held for each node need, kept as hints come and go. */
  private readonly byNode = new Map<string, NodeCapacity>();

  get size(): number {
    return this.byId.size;
  }

  has(taskId: string): boolean {
    return this.byId.has(taskId);
  }

  /** Held task ids of each type that has any. */
  heldByType(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.byType;
  }

  heldOf(type: string): number {
    return this.byType.get(type)?.size ?? 0;
  }

  add(hint: StandbyHint): void {
    this.remove(hint.taskId);
    this.byId.set(hint.taskId, hint);
    let ids = this.byType.get(hint.type);
    if (ids === undefined) this.byType.set(hint.type, (ids = new Set()));
    ids.add(hint.taskId);
    const sum = this.byNode.get(hint.nodeId);
    if (sum === undefined) this.byNode.set(hint.nodeId, { ...hint.req });
    else {
      sum.slots += hint.req.slots;
      sum.cpu += hint.req.cpu;
      sum.memoryMb += hint.req.memoryMb;
    }
  }

  remove(taskId: string): StandbyHint | undefined {
    const hint = this.byId.get(taskId);
    if (hint === undefined) return undefined;
    this.byId.delete(taskId);
    const ids = this.byType.get(hint.type);
    ids?.delete(taskId);
    if (ids?.size === 0) this.byType.delete(hint.type);
    const sum = this.byNode.get(hint.nodeId);
    if (sum !== undefined) {
      sum.slots -= hint.req.slots;
      sum.cpu -= hint.req.cpu;
      sum.memoryMb -= hint.req.memoryMb;
      if (sum.slots <= 0) this.byNode.delete(hint.nodeId);
    }
    return hint;
  }

  /** Drops the hints whose lifetime is over. */
  expire(now: number): void {
    for (const hint of this.byId.values()) {
      if (hint.expiresAt > now) break;
      this.remove(hint.taskId);
    }
  }

  clear(): void {
    this.byId.clear();
    this.byType.clear();
    this.byNode.clear();
  }

  /** What the held hints of each node need (its projected use). */
  heldByNode(): ReadonlyMap<string, NodeCapacity> {
    return this.byNode;
  }
}
