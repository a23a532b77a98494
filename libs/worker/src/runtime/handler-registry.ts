import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import {
  SWITCHYARD_CONFIG,
  TaskHandler,
  type IsolatedHandler,
  type SwitchyardConfig,
  type TaskHandlerFn,
  type TaskHandlerOptions,
} from '@switchyard/core';

/** An isolated handler's module must load and export the function, or the worker does not start. */
function checkIsolated(source: string, isolated: IsolatedHandler): void {
  let fn: unknown;
  try {
    fn = (require(isolated.module) as Record<string, unknown>)[isolated.export];
  } catch (err) {
    throw new Error(
      `${source}: isolated module ${isolated.module} does not load: ${(err as Error).message}`,
    );
  }
  if (typeof fn !== 'function') {
    throw new Error(
      `${source}: isolated module ${isolated.module} has no function export "${isolated.export}"`,
    );
  }
}

export interface RegisteredHandler {
  type: string;
  options: TaskHandlerOptions;
  run: TaskHandlerFn;
  /** Where it was declared, for messages. */
  source: string;
}

/**
 * Finds every @TaskHandler('type') method at start. A duplicate type, or a WORKER_TYPES entry
 * with no handler, fails the start with a message that names it.
 */
@Injectable()
export class HandlerRegistry implements OnModuleInit {
  private readonly logger = new Logger(HandlerRegistry.name);
  private readonly byType = new Map<string, RegisteredHandler>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || wrapper.isNotMetatype) continue;
      const proto = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const meta = this.discovery.getMetadataByDecorator(TaskHandler.META, wrapper, method);
        if (meta === undefined) continue;
        const source = `${wrapper.name}.${method}`;
        const existing = this.byType.get(meta.type);
        if (existing !== undefined) {
          throw new Error(
            `task type "${meta.type}" has two handlers: ${existing.source} and ${source}`,
          );
        }
        const { type, ...options } = meta;
        if (options.isolated !== undefined) checkIsolated(source, options.isolated);
        const fn = instance[method] as TaskHandlerFn;
        this.byType.set(type, { type, options, run: fn.bind(instance), source });
      }
    }
    for (const type of this.config.types) {
      if (!this.byType.has(type))
        throw new Error(`WORKER_TYPES names "${type}", but no @TaskHandler('${type}') exists`);
    }
    this.logger.log(`handlers: ${this.types().join(', ')}`);
  }

  /** The types this node takes: WORKER_TYPES when set, else every handler's. */
  types(): string[] {
    return this.config.types.length > 0 ? [...this.config.types] : [...this.byType.keys()].sort();
  }

  get(type: string): RegisteredHandler | undefined {
    return this.byType.get(type);
  }
}
