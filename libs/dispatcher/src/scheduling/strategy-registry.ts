import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import {
  ConfigError,
  InvalidInputError,
  Strategy,
  SWITCHYARD_CONFIG,
  type AssignmentStrategy,
  type SwitchyardConfig,
} from '@switchyard/core';

/**
 * Finds every @Strategy('name') provider at start. Unknown names in config and duplicate
 * names fail the start, not the first task.
 */
@Injectable()
export class StrategyRegistry implements OnModuleInit {
  private readonly logger = new Logger(StrategyRegistry.name);
  private readonly byName = new Map<string, AssignmentStrategy>();

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: Strategy.META.KEY })) {
      const meta = this.discovery.getMetadataByDecorator(Strategy.META, wrapper);
      const instance = wrapper.instance as AssignmentStrategy | undefined;
      if (meta === undefined || instance === undefined) continue;
      if (typeof instance.select !== 'function') {
        throw new Error(`strategy "${meta.name}" (${wrapper.name}) has no select() method`);
      }
      const existing = this.byName.get(meta.name);
      if (existing !== undefined && existing !== instance) {
        throw new Error(
          `two providers are marked @Strategy('${meta.name}'): strategy names must be unique`,
        );
      }
      this.byName.set(meta.name, instance);
    }
    this.requireKnown(this.config.defaultStrategy, 'DEFAULT_STRATEGY');
    for (const [type, name] of Object.entries(this.config.strategyByType)) {
      this.requireKnown(name, `STRATEGY_BY_TYPE (type ${type})`);
    }
    this.logger.log(`strategies: ${[...this.byName.keys()].sort().join(', ')}`);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The strategy for a task: its own choice, else its type's, else the default. */
  resolve(taskStrategy: string | undefined, type: string): AssignmentStrategy {
    const name = taskStrategy ?? this.config.strategyByType[type] ?? this.config.defaultStrategy;
    return (
      this.byName.get(name) ?? (this.byName.get(this.config.defaultStrategy) as AssignmentStrategy)
    );
  }

  /** Rejects a submit that names a strategy nobody provides. */
  assertSubmittable(name: string | undefined): void {
    if (name !== undefined && !this.byName.has(name)) {
      throw new InvalidInputError(
        `strategy "${name}" is not known; known: ${this.names().join(', ')}`,
      );
    }
  }

  private requireKnown(name: string, variable: string): void {
    if (!this.byName.has(name)) {
      throw new ConfigError(
        variable,
        `strategy "${name}" is not provided; known: ${this.names().join(', ')}`,
      );
    }
  }
}
