import { Controller, Get } from '@nestjs/common';
import { RequireScope } from '@switchyard/core';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../http/error-response.dto';
import { StatsViewDto } from './stats-view.dto';
import { StatsService, type StatsView } from './stats.service';

@ApiTags('stats')
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'Queue depths, nodes by status, and why queued tasks wait (by reason, type, priority)',
  })
  @ApiOkResponse({ type: StatsViewDto })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'Redis is unavailable' })
  get(): Promise<StatsView> {
    return this.stats.stats();
  }
}
