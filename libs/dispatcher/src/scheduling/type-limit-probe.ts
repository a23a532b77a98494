import { Inject, Injectable } from '@nestjs/common';
import { SWITCHYARD_CONFIG, TaskSchedulingStore, type SwitchyardConfig } from '@switchyard/core';

export const TYPE_LIMIT_REASON = 'type limit reached (TYPE_LIMITS)';

/** Which task types have used up their cluster-wide TYPE_LIMITS budget right now (read from Redis). */
@Injectable()
export class TypeLimitProbe {
  constructor(
    private readonly tasks: TaskSchedulingStore,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  async atLimit(types: readonly string[]): Promise<Set<string>> {
    const limited = types.filter((t) => this.config.typeLimits[t] !== undefined);
    const full = new Set<string>();
    for (const [type, load] of await this.tasks.typeLoad(limited)) {
      const limit = this.config.typeLimits[type];
      const running = limit.maxRunning !== undefined && load.running >= limit.maxRunning;
      const rate =
        limit.maxStartsPerSecond !== undefined && load.startsThisSecond >= limit.maxStartsPerSecond;
      if (running || rate) full.add(type);
    }
    return full;
  }
}
