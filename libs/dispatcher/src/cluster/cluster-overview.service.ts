import { Injectable } from '@nestjs/common';
import { DispatcherRegistryStore, LeaderLeaseStore, type DispatcherView } from '@switchyard/core';
import { DispatcherIdentity } from './dispatcher-identity';
import { DispatcherPresence } from './dispatcher-presence';

export interface ClusterOverview {
  /** The dispatcher that answered. */
  self: string;
  /** Id of the leading dispatcher, or null while the lease is free. */
  leader: string | null;
  /** Epoch of the current lease; while it is free, the last one granted. */
  epoch: number;
  lease: { expiresInMs: number; expiresAt: string } | null;
  dispatchers: (DispatcherView & { leader: boolean; self: boolean })[];
}

/** Reads who is in the cluster and who leads, from Redis (not from this process's beliefs). */
@Injectable()
export class ClusterOverviewService {
  constructor(
    private readonly lease: LeaderLeaseStore,
    private readonly registry: DispatcherRegistryStore,
    private readonly presence: DispatcherPresence,
    private readonly identity: DispatcherIdentity,
  ) {}

  async read(): Promise<ClusterOverview> {
    const now = Date.now();
    const [{ leader, lastEpoch }, dispatchers] = await Promise.all([
      this.lease.read(),
      this.registry.list(this.presence.ttlMs, now),
    ]);
    const leaderId = leader?.holder ?? null;
    return {
      self: this.identity.id,
      leader: leaderId,
      epoch: leader?.epoch ?? lastEpoch,
      lease:
        leader === null
          ? null
          : { expiresInMs: leader.ttlMs, expiresAt: new Date(now + leader.ttlMs).toISOString() },
      dispatchers: dispatchers.map((d) => ({
        ...d,
        leader: d.id === leaderId,
        self: d.id === this.identity.id,
      })),
    };
  }
}
