import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import {
  PublicRoute,
  StoreHealthIndicators,
  SWITCHYARD_CONFIG,
  type SwitchyardConfig,
} from '@switchyard/core';
import { NodeSession } from '../runtime/node-session';
import { ReportBatcher } from '../runtime/report-batcher';
import { TaskRunner } from '../runtime/task-runner';

/** The worker's liveness and readiness, on its own HTTP port. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: StoreHealthIndicators,
    private readonly indicator: HealthIndicatorService,
    private readonly session: NodeSession,
    private readonly runner: TaskRunner,
    private readonly reports: ReportBatcher,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  @Get('live')
  @PublicRoute()
  @HealthCheck({ swaggerDocumentation: false })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Redis reachable, bus connected, registered, and heartbeats getting through. */
  @Get('ready')
  @PublicRoute('readiness')
  @HealthCheck({ swaggerDocumentation: false })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.indicators.redis(),
      () => this.indicators.busConnected(),
      () => this.node(),
    ]);
  }

  private node(): HealthIndicatorResult<'node'> {
    const check = this.indicator.check('node');
    const silentMs = Date.now() - this.session.lastHeartbeatOkAt;
    const data = {
      id: this.session.nodeId,
      incarnation: this.session.incarnation,
      running: this.runner.size,
      lastHeartbeatOkAt: this.session.lastHeartbeatOkAt,
      // reports the registry refused (revoked lease): visible proof that fencing held
      staleReports: this.reports.staleReports,
    };
    if (this.session.incarnation === 0)
      return check.down({ ...data, message: 'not registered yet' });
    if (silentMs > this.config.nodeSuspectAfterMs) {
      return check.down({ ...data, message: `no heartbeat got through for ${silentMs} ms` });
    }
    return check.up(data);
  }
}
