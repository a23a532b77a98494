import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { BusLink } from '../messaging/bus-link';
import { StatsStore } from '../store/stats.store';

/** Health of what both apps depend on: Redis answers, the bus is connected. */
@Injectable()
export class StoreHealthIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly stats: StatsStore,
    private readonly bus: BusLink,
  ) {}

  async redis(): Promise<HealthIndicatorResult<'redis'>> {
    const check = this.health.check('redis');
    try {
      const latencyMs = await this.stats.ping();
      return check.up({ latencyMs: Math.round(latencyMs * 100) / 100 });
    } catch (err) {
      return check.down({ message: (err as Error).message });
    }
  }

  busConnected(): HealthIndicatorResult<'bus'> {
    const check = this.health.check('bus');
    return this.bus.connected ? check.up() : check.down({ message: 'not connected to the bus' });
  }
}
