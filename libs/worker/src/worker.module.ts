import {
  ConfigurableModuleBuilder,
  Module,
  type DynamicModule,
  type ModuleMetadata,
} from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import {
  ApiKeyGuard,
  appLoggerModuleFromConfig,
  takeConfigProvider,
  StoreHealthIndicators,
  SwitchyardStoreModule,
  type SwitchyardConfig,
} from '@switchyard/core';
import { NodeEventsController } from './bus/node-events.controller';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { WorkerMetrics } from './metrics/worker-metrics';
import { GracefulDrain } from './runtime/graceful-drain';
import { HandlerRegistry } from './runtime/handler-registry';
import { IsolatedPool } from './runtime/isolated-pool';
import { LeaseRecovery } from './runtime/lease-recovery';
import { NodeSession } from './runtime/node-session';
import { ProgressReporter } from './runtime/progress-reporter';
import { ReportBatcher } from './runtime/report-batcher';
import { TaskRunner } from './runtime/task-runner';

export interface WorkerModuleExtras {
  /** Modules whose providers hold @TaskHandler methods (static: Nest scans them at start). */
  handlers: NonNullable<ModuleMetadata['imports']>;
}

const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } =
  new ConfigurableModuleBuilder<SwitchyardConfig>()
    .setClassMethodName('forRoot')
    .setExtras<WorkerModuleExtras>({ handlers: [] }, (definition, extras) =>
      workerDefinition(definition, extras),
    )
    .build();

/**
 * A Switchyard worker inside any Nest app: node session, handler discovery, task runner,
 * report batching, lease recovery, drain, health and metrics.
 *
 *   SwitchyardWorkerModule.forRoot({ ...loadConfig(process.env), handlers: [MyHandlersModule] })
 *   SwitchyardWorkerModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService],
 *     useFactory: (c) => loadConfig(c.get...), handlers: [MyHandlersModule] })
 *
 * The options are a loaded SwitchyardConfig. The host still attaches the bus server
 * (SwitchyardRedisServer + BusLink, as apps/worker/src/main.ts does) to receive assignments.
 */
@Module({})
export class SwitchyardWorkerModule extends ConfigurableModuleClass {}

function workerDefinition(definition: DynamicModule, extras: WorkerModuleExtras): DynamicModule {
  // the store module gets the config provider and the caller's imports (it is global: every
  // module sees SWITCHYARD_CONFIG), so forRoot and forRootAsync build the same graph
  const { configProvider, rest } = takeConfigProvider(
    definition.providers ?? [],
    MODULE_OPTIONS_TOKEN,
  );
  return {
    ...definition,
    imports: [
      SwitchyardStoreModule.forConfigProvider(
        configProvider,
        definition.imports ?? [],
        (c) => `switchyard-worker:${c.nodeId}`,
      ),
      appLoggerModuleFromConfig('worker'),
      DiscoveryModule,
      TerminusModule.forRoot({ logger: false }),
      ...extras.handlers,
    ],
    controllers: [NodeEventsController, HealthController, MetricsController],
    providers: [
      ...rest,
      { provide: APP_GUARD, useClass: ApiKeyGuard },
      HandlerRegistry,
      NodeSession,
      ReportBatcher,
      ProgressReporter,
      IsolatedPool,
      TaskRunner,
      LeaseRecovery,
      GracefulDrain,
      StoreHealthIndicators,
      WorkerMetrics,
    ],
    exports: [NodeSession, TaskRunner, GracefulDrain],
  };
}
