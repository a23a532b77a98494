import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  BusPublisher,
  NodeStore,
  NotLeaderError,
  StoreUnavailableError,
  SWITCHYARD_CONFIG,
  TaskSchedulingStore,
  type HealthCheckOutcome,
  type ReclaimedTask,
  type SwitchyardConfig,
} from '@switchyard/core';
import { LeaderLease } from '../leadership/leader-lease';
import { AssignmentLoop } from '../scheduling/assignment-loop';
import { ClusterState } from '../scheduling/cluster-state';

const INTERVAL_NAME = 'node-health-check';
/** Most expired leases reclaimed per check (the rest go in the next one). */
const MAX_RECLAIMS_PER_CHECK = 1000;

/**
 * The leader's failure detector, every HEALTH_CHECK_INTERVAL_MS: silent nodes become suspect,
 * then dead with their tasks re-queued (check-nodes.lua); tasks whose lease outlived timeout +
 * grace are reclaimed even from nodes that still heartbeat (reclaim-expired.lua). Both scripts
 * check the leader lease value, so a deposed leader cannot act. At most one check runs at once.
 * Everything is committed in Redis before it is announced.
 */
@Injectable()
export class NodeHealthCheck implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NodeHealthCheck.name);
  private running = false;
  /** Silence before this instant is not held against a node (we were not watching, or Redis was away). */
  private watchingSince = Date.now();
  private storeWasDown = false;
  private lastErrorLogAt = 0;
  checks = 0;

  constructor(
    private readonly nodes: NodeStore,
    private readonly tasks: TaskSchedulingStore,
    private readonly lease: LeaderLease,
    private readonly bus: BusPublisher,
    private readonly cluster: ClusterState,
    private readonly loop: AssignmentLoop,
    private readonly scheduler: SchedulerRegistry,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.lease.onElected(() => {
      this.watchingSince = Date.now();
    });
    this.scheduler.addInterval(
      INTERVAL_NAME,
      setInterval(() => void this.check(), this.config.healthCheckIntervalMs),
    );
  }

  onApplicationShutdown(): void {
    if (this.scheduler.doesExist('interval', INTERVAL_NAME))
      this.scheduler.deleteInterval(INTERVAL_NAME);
  }

  async check(now = Date.now()): Promise<void> {
    const leaseValue = this.lease.leaseValue;
    if (this.running || leaseValue === null) return;
    this.running = true;
    try {
      if (this.storeWasDown) this.watchingSince = now;
      const health = await this.nodes.checkHealth(leaseValue, this.watchingSince, now);
      const reclaimed = await this.tasks.reclaimExpired(leaseValue, MAX_RECLAIMS_PER_CHECK, now);
      this.storeWasDown = false;
      this.checks++;
      this.announce(health, reclaimed);
    } catch (err) {
      if (err instanceof NotLeaderError) {
        this.logger.warn('health check refused: the leader lease moved; standing by');
        await this.lease.renew();
      } else {
        if (err instanceof StoreUnavailableError) this.storeWasDown = true;
        this.logFailure(err);
      }
    } finally {
      this.running = false;
    }
  }

  private announce(health: HealthCheckOutcome, reclaimed: readonly ReclaimedTask[]): void {
    for (const id of health.suspects) {
      this.logger.warn(
        `node ${id} is suspect: no heartbeat for ${this.config.nodeSuspectAfterMs} ms`,
      );
      this.bus.nodesChanged({ node: id, change: 'suspect' });
    }
    for (const d of health.dead) {
      this.logger.warn(
        `node ${d.id} incarnation ${d.incarnation} declared dead: ${d.requeued} task(s) re-queued, ${d.failed} failed (attempts exhausted)`,
      );
      this.bus.nodesChanged({ node: d.id, change: 'dead' });
    }
    const byNode = new Map<string, { id: string; lease: number }[]>();
    for (const r of reclaimed) {
      this.logger.warn(
        `task ${r.taskId} on node ${r.node}: lease expired (timeout + grace), ${r.outcome}`,
      );
      let list = byNode.get(r.node);
      if (list === undefined) byNode.set(r.node, (list = []));
      list.push({ id: r.taskId, lease: r.lease });
    }
    // the node may still run them: tell it to abort (its reports would be stale anyway)
    for (const [node, tasks] of byNode) this.bus.nodeCancel({ node, tasks });
    if (health.suspects.length + health.dead.length + reclaimed.length > 0) {
      this.cluster.markStale();
      this.loop.wake();
    }
  }

  private logFailure(err: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLogAt < 5000) return;
    this.lastErrorLogAt = now;
    this.logger.warn(
      `health check failed (retrying on the next interval): ${(err as Error).message}`,
    );
  }
}
