import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  BusPublisher,
  LeaderLeaseStore,
  parseLeaseValue,
  SWITCHYARD_CONFIG,
  type SwitchyardConfig,
} from '@switchyard/core';
import { DispatcherIdentity } from '../cluster/dispatcher-identity';

/** Called with the epoch of the term that began (onElected) or ended (onDemoted). */
export type LeadershipListener = (epoch: number) => void;

/**
 * This dispatcher's claim on leadership: a Redis lease with a token and an epoch. The leader
 * renews it on a timer; standbys try to take it on the same timer, and at once when the
 * leader announces that it let go. Leadership is considered lost locally one renewal interval
 * before the TTL would run out, so a paused process stops acting before a standby can take
 * over. Leader-only scripts compare the full lease value themselves, which fences a leader
 * that woke up too late.
 *
 * Leader-only services gate every pass on `isLeader`, pass `leaseValue` to their scripts, and
 * may react to `onElected` (this dispatcher starts acting as leader) and `onDemoted` (it stops:
 * lost the lease, could not renew in time, or shuts down). The two alternate.
 */
@Injectable()
export class LeaderLease implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(LeaderLease.name);
  readonly token: string;
  private value: string | null = null;
  /** performance.now() until which we may act as leader. */
  private validUntil = 0;
  /** The term we last announced to listeners (null: standing by). */
  private announced: string | null = null;
  private renewing = false;
  private renewAgain = false;
  private closing = false;
  private timer: NodeJS.Timeout | undefined;
  private lapseTimer: NodeJS.Timeout | undefined;
  private readonly elected: LeadershipListener[] = [];
  private readonly demoted: LeadershipListener[] = [];

  constructor(
    private readonly store: LeaderLeaseStore,
    private readonly bus: BusPublisher,
    identity: DispatcherIdentity,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {
    this.token = identity.id;
  }

  get isLeader(): boolean {
    return this.value !== null && !this.closing && performance.now() < this.validUntil;
  }

  /** "<epoch>:<token>" while leading, else null. Leader-only scripts compare it with the stored lease. */
  get leaseValue(): string | null {
    return this.isLeader ? this.value : null;
  }

  /** Epoch of the term we hold, or 0. */
  get epoch(): number {
    return this.isLeader && this.value !== null ? parseLeaseValue(this.value).epoch : 0;
  }

  onElected(listener: LeadershipListener): void {
    this.elected.push(listener);
  }

  onDemoted(listener: LeadershipListener): void {
    this.demoted.push(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.renew();
    this.timer = setInterval(() => void this.renew(), this.config.leaderRenewMs);
  }

  /**
   * Lets go before the shutdown hooks close Redis and the bus (those run first for global
   * modules), so the release is written and announced while both are still open.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.timer);
    clearTimeout(this.lapseTimer);
    const held = this.value;
    this.value = null;
    this.settle();
    if (held === null) return;
    try {
      if (await this.store.release(held)) {
        const epoch = parseLeaseValue(held).epoch;
        this.logger.log(`released the leader lease (epoch ${epoch})`);
        await this.bus.leaderReleased({ epoch });
      }
    } catch (err) {
      this.logger.warn(
        `could not release the leader lease; it expires by itself: ${(err as Error).message}`,
      );
    }
  }

  /** The bus says the leader of `epoch` let go: try now instead of on the next renewal tick. */
  released(epoch: number): void {
    if (this.closing) return;
    this.logger.log(`the leader of epoch ${epoch} let go; trying to take the lease`);
    // a renewal that already won makes this one a plain renewal
    void this.renew();
  }

  /** Takes or renews the lease. Calls during a renewal coalesce into one more round. */
  async renew(): Promise<void> {
    if (this.closing) return;
    if (this.renewing) {
      this.renewAgain = true;
      return;
    }
    this.renewing = true;
    try {
      do {
        this.renewAgain = false;
        await this.renewOnce();
      } while (this.renewAgain && !this.closing);
    } finally {
      this.renewing = false;
    }
  }

  private async renewOnce(): Promise<void> {
    const askedAt = performance.now(); // monotonic: a wall-clock jump must not stretch a term
    try {
      const value = await this.store.acquire(this.token, this.config.leaderTtlMs);
      if (this.closing) return;
      this.value = value;
      // act only while the lease surely holds: TTL minus one renewal interval of margin
      this.validUntil =
        value === null ? 0 : askedAt + this.config.leaderTtlMs - this.config.leaderRenewMs;
      this.armLapse();
    } catch (err) {
      // keep what we have until validUntil passes; a Redis outage ends leadership by time
      this.logger.warn(`lease renewal failed: ${(err as Error).message}`);
    }
    this.settle();
  }

  /** Ends the term locally the moment validUntil passes, even when no renewal answers. */
  private armLapse(): void {
    clearTimeout(this.lapseTimer);
    if (this.value === null) return;
    this.lapseTimer = setTimeout(
      () => this.settle(),
      Math.max(0, this.validUntil - performance.now()) + 1,
    );
  }

  /** Compares what we hold with what we announced, and tells the listeners about the change. */
  private settle(): void {
    const now = this.isLeader ? this.value : null;
    if (now === this.announced) return;
    const ended = this.announced;
    this.announced = now;
    if (ended !== null) {
      const epoch = parseLeaseValue(ended).epoch;
      if (this.closing) this.logger.log(`stepping down from epoch ${epoch} (shutting down)`);
      else this.logger.warn(`lost the leader lease (epoch ${epoch}); standing by`);
      this.notify(this.demoted, epoch);
    }
    if (now !== null) {
      const epoch = parseLeaseValue(now).epoch;
      this.logger.log(`leading with epoch ${epoch}`);
      this.notify(this.elected, epoch);
    }
  }

  private notify(listeners: readonly LeadershipListener[], epoch: number): void {
    for (const listener of listeners) {
      try {
        listener(epoch);
      } catch (err) {
        this.logger.error(`a leadership listener failed: ${(err as Error).message}`);
      }
    }
  }
}
