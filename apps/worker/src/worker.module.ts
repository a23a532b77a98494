import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import {
  appLoggerModule,
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

export interface WorkerModuleOptions {
  /** Modules whose providers hold @TaskHandler methods. */
  handlers: NonNullable<ModuleMetadata['imports']>;
}

@Module({})
export class WorkerModule {
  static forRoot(config: SwitchyardConfig, options: WorkerModuleOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        appLoggerModule('worker', config),
        DiscoveryModule,
        TerminusModule.forRoot({ logger: false }),
        SwitchyardStoreModule.forRoot(config, `switchyard-worker:${config.nodeId}`),
        ...options.handlers,
      ],
      controllers: [NodeEventsController, HealthController, MetricsController],
      providers: [
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
}
