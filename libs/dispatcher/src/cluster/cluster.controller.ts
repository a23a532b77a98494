import { Controller, Get } from '@nestjs/common';
import { RequireScope } from '@switchyard/core';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../http/error-response.dto';
import { ClusterOverviewDto } from './cluster-overview.dto';
import { ClusterOverviewService, type ClusterOverview } from './cluster-overview.service';

@ApiTags('cluster')
@Controller('cluster')
export class ClusterController {
  constructor(private readonly overview: ClusterOverviewService) {}

  /** The dispatchers, which one leads, the epoch and when the lease expires. */
  @Get()
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'The dispatchers, which one leads, the epoch and when the lease expires',
  })
  @ApiOkResponse({ type: ClusterOverviewDto })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'Redis is unavailable' })
  get(): Promise<ClusterOverview> {
    return this.overview.read();
  }
}
