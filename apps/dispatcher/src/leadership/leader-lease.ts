import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { LeaderLeaseStore, SWITCHYARD_CONFIG, type SwitchyardConfig } from '@switchyard/core';
import { randomUUID } from 'node:crypto';

/**
 * This dispatcher's claim on leadership: a Redis lease with a token and an epoch. Renewed
 * on a timer; considered lost locally a safety margin before its TTL would run out, so a
 * paused process stops acting before a standby can take over. Leader-only scripts check the
 * full lease value themselves, which fences a leader that woke up too late.
 */
@Injectable()
export class LeaderLease implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LeaderLease.name);
  readonly token = randomUUID();
  private value: string | null = null;
  private validUntil = 0;
  private renewing = false;
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly store: LeaderLeaseStore,
    private readonly scheduler: SchedulerRegistry,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  get isLeader(): boolean {
    return this.value !== null && Date.now() < this.validUntil;
  }

  /** "<epoch>:<token>" while leading, else null. */
  get leaseValue(): string | null {
    return this.isLeader ? this.value : null;
  }

  get epoch(): number {
    return this.value === null ? 0 : Number(this.value.split(':')[0]);
  }

  /** Called whenever this dispatcher becomes leader. */
  onElected(listener: () => void): void {
    this.listeners.push(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.renew();
    this.scheduler.addInterval(
      'leader-lease',
      setInterval(() => void this.renew(), this.config.leaderRenewMs),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('interval', 'leader-lease')) this.scheduler.deleteInterval('leader-lease');
    const held = this.value;
    this.value = null;
    if (held !== null) {
      await this.store.release(held).catch(() => undefined);
      this.logger.log('released the leader lease');
    }
  }

  async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    const askedAt = Date.now();
    try {
      const wasLeader = this.isLeader;
      const previous = this.value;
      const value = await this.store.acquire(this.token, this.config.leaderTtlMs);
      this.value = value;
      // act only while the lease surely holds: TTL minus one renewal interval of margin
      this.validUntil = value === null ? 0 : askedAt + this.config.leaderTtlMs - this.config.leaderRenewMs;
      if (value !== null && (!wasLeader || value !== previous)) {
        this.logger.log(`leading with epoch ${this.epoch}`);
        this.listeners.forEach((l) => l());
      } else if (value === null && wasLeader) {
        this.logger.warn('lost the leader lease; standing by');
      }
    } catch (err) {
      // keep what we have until validUntil passes; a Redis outage ends leadership by time
      this.logger.warn(`lease renewal failed: ${(err as Error).message}`);
    } finally {
      this.renewing = false;
    }
  }
}
