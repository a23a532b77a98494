import { Controller, Get } from '@nestjs/common';
import { StatsService, type StatsView } from './stats.service';

@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  get(): Promise<StatsView> {
    return this.stats.stats();
  }
}
