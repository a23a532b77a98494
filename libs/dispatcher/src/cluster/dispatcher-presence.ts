import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  DispatcherRegistryStore,
  SWITCHYARD_CONFIG,
  type SwitchyardConfig,
} from '@switchyard/core';
import type { AddressInfo } from 'node:net';
import { DispatcherIdentity } from './dispatcher-identity';

/**
 * Keeps this dispatcher listed in the registry: a heartbeat on the lease renewal interval,
 * listed until one lease TTL of silence (a crashed dispatcher drops out by itself), removed
 * at once on shutdown.
 */
@Injectable()
export class DispatcherPresence implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DispatcherPresence.name);
  private timer: NodeJS.Timeout | undefined;
  private beating = false;
  private lastErrorLogAt = 0;

  constructor(
    private readonly registry: DispatcherRegistryStore,
    private readonly identity: DispatcherIdentity,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  /** How long a silent dispatcher stays listed. */
  get ttlMs(): number {
    return this.config.leaderTtlMs;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.config.leaderRenewMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.registry.leave(this.identity.id).catch(() => undefined);
  }

  async beat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      const { id, host, pid, startedAt } = this.identity;
      await this.registry.beat({ id, host, pid, startedAt, httpPort: this.httpPort() }, this.ttlMs);
    } catch (err) {
      const now = Date.now();
      if (now - this.lastErrorLogAt >= 5000) {
        this.lastErrorLogAt = now;
        this.logger.warn(`registry heartbeat failed: ${(err as Error).message}`);
      }
    } finally {
      this.beating = false;
    }
  }

  /** 0 until the HTTP server listens (the first beat runs during bootstrap, before listen). */
  private httpPort(): number {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as
      { address(): AddressInfo | string | null } | undefined;
    const address = server?.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }
}
