import { Controller, Get, Header, Res } from '@nestjs/common';
import { PublicRoute } from '@switchyard/core';
import type { Response } from 'express';
import { TaskRunner } from '../runtime/task-runner';
import { WorkerMetrics } from './worker-metrics';

@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: WorkerMetrics,
    private readonly runner: TaskRunner,
  ) {}

  @Get()
  @PublicRoute('metrics')
  @Header('Cache-Control', 'no-store')
  async scrape(@Res({ passthrough: true }) res: Response): Promise<string> {
    this.metrics.setLoad(this.runner.size, this.runner.slotsInUse);
    res.type(this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
