import { Injectable, Logger } from '@nestjs/common';
import { NodeStore, type NodeCapacity } from '@switchyard/core';
import { ClusterSnapshot } from './cluster-snapshot';

/** Longest a snapshot is trusted before a full re-read, even when nothing announced a change. */
const RESYNC_MS = 1000;

/** Owns the leader's ClusterSnapshot: loads it from Redis, keeps it fresh, applies deltas. */
@Injectable()
export class ClusterState {
  private readonly logger = new Logger(ClusterState.name);
  private snapshot = new ClusterSnapshot([], -1);
  private loadedAt = 0;
  private stale = true;

  constructor(private readonly nodes: NodeStore) {}

  /** The current snapshot, re-read from Redis when marked stale or due for a resync. */
  async current(now = Date.now()): Promise<ClusterSnapshot> {
    if (this.stale || now - this.loadedAt >= RESYNC_MS) await this.reload(now);
    return this.snapshot;
  }

  peek(): ClusterSnapshot {
    return this.snapshot;
  }

  markStale(): void {
    this.stale = true;
  }

  async reload(now = Date.now()): Promise<void> {
    const [version, views] = await Promise.all([this.nodes.version(), this.nodes.list()]);
    this.snapshot = new ClusterSnapshot(views, version);
    this.loadedAt = now;
    this.stale = false;
    this.logger.debug(`node snapshot v${version}: ${this.snapshot.nodes.size} alive`);
  }

  /** A worker announced finished attempts: its capacity is free again. */
  freed(nodeId: string, amount: NodeCapacity): void {
    this.snapshot.reserve(
      nodeId,
      { slots: amount.slots, cpu: amount.cpu, memoryMb: amount.memoryMb },
      -1,
    );
  }

  /** Capacity a node took without the leader's pass (standby hints leased at its finish). */
  reserved(nodeId: string, amount: NodeCapacity): void {
    this.snapshot.reserve(nodeId, {
      slots: amount.slots,
      cpu: amount.cpu,
      memoryMb: amount.memoryMb,
    });
  }
}
