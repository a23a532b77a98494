import { Controller, Get } from '@nestjs/common';
import { ClusterOverviewService, type ClusterOverview } from './cluster-overview.service';

@Controller('cluster')
export class ClusterController {
  constructor(private readonly overview: ClusterOverviewService) {}

  /** The dispatchers, which one leads, the epoch and when the lease expires. */
  @Get()
  get(): Promise<ClusterOverview> {
    return this.overview.read();
  }
}
