import { Controller, Get } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { PublicRoute, LeaderLeaseStore, StoreHealthIndicators } from '@switchyard/core';
import { HealthReportDto } from './health-report.dto';

/** Liveness (the process answers) and readiness (Redis, bus, a leader) for orchestrators. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: StoreHealthIndicators,
    private readonly indicator: HealthIndicatorService,
    private readonly leader: LeaderLeaseStore,
  ) {}

  @Get('live')
  @PublicRoute()
  @SkipThrottle()
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness: the process runs and answers HTTP' })
  @ApiOkResponse({ type: HealthReportDto })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @PublicRoute('readiness')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: Redis reachable, bus connected, a leader known' })
  @ApiOkResponse({ type: HealthReportDto })
  @ApiServiceUnavailableResponse({
    type: HealthReportDto,
    description: 'a dependency is down (see `error`)',
  })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.indicators.redis(),
      () => this.indicators.busConnected(),
      () => this.leaderKnown(),
    ]);
  }

  private async leaderKnown(): Promise<HealthIndicatorResult<'leader'>> {
    const check = this.indicator.check('leader');
    try {
      const lease = await this.leader.current();
      return lease === null
        ? check.down({ message: 'no dispatcher holds the leader lease' })
        : check.up({ epoch: lease.epoch });
    } catch (err) {
      return check.down({ message: (err as Error).message });
    }
  }
}
