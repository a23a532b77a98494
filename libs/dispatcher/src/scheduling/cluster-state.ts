import { Injectable, Logger } from '@nestjs/common';
import { NodeStore, type NodeCapacity, type NodeState, type NodeView } from '@switchyard/core';
import { ClusterSnapshot } from './cluster-snapshot';

/** Longest a snapshot is trusted before a re-read, even when nothing announced a change. */
const RESYNC_MS = 1000;

/** Owns the leader's ClusterSnapshot: loads it from Redis, keeps it fresh, applies deltas. */
@Injectable()
export class ClusterState {
  private readonly logger = new Logger(ClusterState.name);
  private snapshot = new ClusterSnapshot([], -1);
  /** The registry as last read in full (every node, any status), for refreshes of usage. */
  private views: readonly NodeView[] | undefined;
  private loadedAt = 0;
  private stale = true;

  constructor(private readonly nodes: NodeStore) {}

  /** The current snapshot, re-read from Redis when marked stale or due for a resync. */
  async current(now = Date.now()): Promise<ClusterSnapshot> {
    if (this.stale) await this.reload(now);
    else if (now - this.loadedAt >= RESYNC_MS) await this.resync(now);
    return this.snapshot;
  }

  peek(): ClusterSnapshot {
    return this.snapshot;
  }

  /**
   * Whether `snapshot` is still the one to plan with (nothing marked it stale or replaced it): a
   * pass read ahead of a commit plans on the snapshot that commit was planned on.
   */
  holds(snapshot: ClusterSnapshot): boolean {
    return !this.stale && this.snapshot === snapshot;
  }

  /** Whether current() would re-read the registry (stale, or due for its resync). */
  due(now = Date.now()): boolean {
    return this.stale || now - this.loadedAt >= RESYNC_MS;
  }

  markStale(): void {
    this.stale = true;
  }

  /** A full read: every node's description and state (two commands per node). */
  async reload(now = Date.now()): Promise<void> {
    const [version, views] = await Promise.all([this.nodes.version(), this.nodes.list()]);
    this.install(views, version, now);
  }

  /**
   * The timed resync, when nothing announced a change: usage can have moved without a message
   * reaching us (a lost `tasks.finished`), the registry cannot without moving its version (join,
   * leave, drain, suspect, dead, alive again). So it reads the version and the node states (one
   * command each, however many nodes) and keeps the descriptions; anything else that differs —
   * the version, a node's incarnation or status, a node more or less — makes it a full reload.
   */
  private async resync(now: number): Promise<void> {
    const views = this.views;
    if (views === undefined) return this.reload(now);
    const [version, states] = await Promise.all([this.nodes.version(), this.nodes.states()]);
    const refreshed = version === this.snapshot.version ? withStates(views, states) : null;
    if (refreshed === null) return this.reload(now);
    this.install(refreshed, version, now);
  }

  private install(views: readonly NodeView[], version: number, now: number): void {
    this.views = views;
    this.snapshot = new ClusterSnapshot(views, version);
    this.loadedAt = now;
    this.stale = false;
    this.logger.debug(`node snapshot v${version}: ${this.snapshot.nodes.size} alive`);
  }

  /** A worker announced finished attempts: its capacity is free again. */
  freed(nodeId: string, amount: NodeCapacity): void {
    this.snapshot.reserve(nodeId, amount, -1);
  }

  /** Capacity a node took without the leader's pass (standby hints leased at its finish). */
  reserved(nodeId: string, amount: NodeCapacity): void {
    this.snapshot.reserve(nodeId, amount);
  }
}

/** The views with usage from `states`, or null when the states name other nodes or registrations. */
export function withStates(
  views: readonly NodeView[],
  states: ReadonlyMap<string, NodeState>,
): NodeView[] | null {
  if (states.size !== views.length) return null;
  const out: NodeView[] = [];
  for (const v of views) {
    const s = states.get(v.id);
    if (s === undefined || s.incarnation !== v.incarnation || s.status !== v.status) return null;
    out.push({ ...v, capacity: s.capacity, used: s.used });
  }
  return out;
}
