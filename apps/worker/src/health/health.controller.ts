import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { REDIS } from '@switchyard/core';
import type { Redis } from 'ioredis';
import { NodeSession } from '../runtime/node-session';
import { ReportBatcher } from '../runtime/report-batcher';
import { TaskRunner } from '../runtime/task-runner';

@Controller('health')
export class HealthController {
  constructor(
    private readonly session: NodeSession,
    private readonly runner: TaskRunner,
    private readonly reports: ReportBatcher,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(): object {
    const body = {
      node: this.session.nodeId,
      incarnation: this.session.incarnation,
      redis: this.redis.status,
      running: this.runner.size,
      lastHeartbeatOkAt: this.session.lastHeartbeatOkAt,
      // reports the registry refused (revoked lease): visible proof that fencing held
      staleReports: this.reports.staleReports,
    };
    if (this.redis.status !== 'ready' || this.session.incarnation === 0) {
      throw new HttpException({ status: 'unavailable', ...body }, HttpStatus.SERVICE_UNAVAILABLE);
    }
    return { status: 'ok', ...body };
  }
}
