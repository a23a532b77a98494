import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  BusPublisher,
  NodeStore,
  SWITCHYARD_CONFIG,
  type SwitchyardConfig,
} from '@switchyard/core';
import * as os from 'node:os';
import { HandlerRegistry } from './handler-registry';

/**
 * This process as a node: registers an incarnation, heartbeats on its own timer, and when the
 * registry says it was declared dead, joins again as a new incarnation (old leases stay revoked).
 */
@Injectable()
export class NodeSession implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NodeSession.name);
  private timer: NodeJS.Timeout | undefined;
  private beating = false;
  private current = 0;
  private readonly rejoinListeners: ((incarnation: number) => void)[] = [];
  private readonly drainListeners: ((why: string) => void)[] = [];
  /** Set once draining starts: from then on this process never registers again. */
  private leaving = false;
  lastHeartbeatOkAt = 0;

  constructor(
    private readonly nodes: NodeStore,
    private readonly handlers: HandlerRegistry,
    private readonly bus: BusPublisher,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  get nodeId(): string {
    return this.config.nodeId;
  }

  /** 0 until registered. */
  get incarnation(): number {
    return this.current;
  }

  onRejoin(listener: (incarnation: number) => void): void {
    this.rejoinListeners.push(listener);
  }

  /** Called when the cluster asks this node to drain (bus message or heartbeat status). */
  onDrainRequested(listener: (why: string) => void): void {
    this.drainListeners.push(listener);
  }

  /** A node.drain message arrived; it names the incarnation it means. */
  drainRequested(incarnation: number, why: string): void {
    if (this.leaving || incarnation !== this.current) return;
    this.drainListeners.forEach((l) => l(why));
  }

  get isLeaving(): boolean {
    return this.leaving;
  }

  /** Stops taking work: status draining in Redis (the dispatcher assigns nothing more). */
  async beginDrain(): Promise<void> {
    this.leaving = true;
    if (this.current === 0) return;
    if (await this.nodes.drain(this.config.nodeId, this.current)) {
      this.bus.nodesChanged({ node: this.config.nodeId, change: 'draining' });
    }
  }

  /** Hands back what is still leased here (no attempt counted) and leaves the registry. */
  async leave(): Promise<{ requeued: number; failed: number } | null> {
    if (this.current === 0) return null;
    const out = await this.nodes.leave(this.config.nodeId, this.current);
    this.bus.nodesChanged({ node: this.config.nodeId, change: 'left' });
    return out;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.register();
    this.timer = setInterval(() => void this.beat(), this.config.heartbeatIntervalMs);
  }

  onApplicationShutdown(): void {
    this.stopHeartbeats();
  }

  stopHeartbeats(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async register(): Promise<void> {
    const c = this.config;
    this.current = await this.nodes.register({
      id: c.nodeId,
      types: this.handlers.types(),
      capacity: { slots: c.workerSlots, cpu: c.workerCpu, memoryMb: c.workerMemoryMb },
      labels: c.labels,
      hostname: os.hostname(),
      pid: process.pid,
    });
    this.lastHeartbeatOkAt = Date.now();
    this.logger.log(
      `registered node ${c.nodeId} incarnation ${this.current} (${c.workerSlots} slots)`,
    );
    this.bus.nodesChanged({ node: c.nodeId, change: 'registered' });
  }

  private async beat(): Promise<void> {
    if (this.beating || this.timer === undefined) return;
    this.beating = true;
    try {
      const status = await this.nodes.heartbeat(this.config.nodeId, this.current);
      if (status === 'stale' && this.leaving) {
        this.logger.warn(
          `incarnation ${this.current} is no longer registered; leaving without rejoining`,
        );
      } else if (status === 'draining' && !this.leaving) {
        this.lastHeartbeatOkAt = Date.now();
        this.drainListeners.forEach((l) => l('the registry marks this node draining'));
      } else if (status === 'stale') {
        this.logger.warn(
          `incarnation ${this.current} was declared dead; joining as a new incarnation`,
        );
        await this.register();
        this.rejoinListeners.forEach((l) => l(this.current));
      } else {
        this.lastHeartbeatOkAt = Date.now();
      }
    } catch (err) {
      this.logger.warn(`heartbeat failed: ${(err as Error).message}`);
    } finally {
      this.beating = false;
    }
  }
}
