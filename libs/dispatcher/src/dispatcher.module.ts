import { ConfigurableModuleBuilder, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import {
  ApiKeyGuard,
  appLoggerModuleFromConfig,
  takeConfigProvider,
  BUILT_IN_STRATEGIES,
  StoreHealthIndicators,
  SwitchyardStoreModule,
  type SwitchyardConfig,
} from '@switchyard/core';
import { BusEventsController } from './bus/bus-events.controller';
import { ClusterOverviewService } from './cluster/cluster-overview.service';
import { ClusterController } from './cluster/cluster.controller';
import { DispatcherIdentity } from './cluster/dispatcher-identity';
import { DispatcherPresence } from './cluster/dispatcher-presence';
import { DashboardAssets } from './dashboard/dashboard-assets';
import { DashboardHistory } from './dashboard/dashboard-history';
import { DashboardController } from './dashboard/dashboard.controller';
import { EventFeed } from './events/event-feed';
import { EventsController } from './events/events.controller';
import { NodeHealthCheck } from './failover/node-health-check';
import { HealthController } from './health/health.controller';
import { DomainExceptionFilter } from './http/domain-exception.filter';
import { LeaderLease } from './leadership/leader-lease';
import { DispatcherMetrics } from './metrics/dispatcher-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { NodeDrain } from './nodes/node-drain.service';
import { NodesController } from './nodes/nodes.controller';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { rateLimitModule } from './rate-limit/rate-limit.module';
import { AssignmentLoop } from './scheduling/assignment-loop';
import { ClusterState } from './scheduling/cluster-state';
import { PassPlanner } from './scheduling/pass-planner';
import { LoopWaker } from './scheduling/loop-waker';
import { StandbyBook } from './scheduling/standby-book';
import { StandbyPlanner } from './scheduling/standby-planner';
import { NodePace } from './scheduling/node-pace';
import { StrategyRegistry } from './scheduling/strategy-registry';
import { TaskControl } from './tasks/task-control.service';
import { TypeLimitProbe } from './scheduling/type-limit-probe';
import { ScheduleRunner } from './schedules/schedule-runner';
import { ScheduleService } from './schedules/schedule.service';
import { SchedulesController } from './schedules/schedules.controller';
import { StatsController } from './stats/stats.controller';
import { StatsService } from './stats/stats.service';
import { TaskQuery } from './tasks/task-query.service';
import { TaskSubmission } from './tasks/task-submission.service';
import { TasksController } from './tasks/tasks.controller';

const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } =
  new ConfigurableModuleBuilder<SwitchyardConfig>()
    .setClassMethodName('forRoot')
    .setExtras({}, (definition) => dispatcherDefinition(definition))
    .build();

/**
 * A Switchyard dispatcher inside any Nest app: HTTP API, leader election, scheduling,
 * failover checks, events, metrics, dashboard. `forRoot(loadConfig(env))` or
 * `forRootAsync({ imports, inject, useFactory })`. Strategy providers (`@Strategy`) anywhere in
 * the app are discovered. The host attaches the bus server and the validation pipe as
 * apps/dispatcher/src/main.ts does.
 */
@Module({})
export class SwitchyardDispatcherModule extends ConfigurableModuleClass {}

function dispatcherDefinition(definition: DynamicModule): DynamicModule {
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
        () => 'switchyard-dispatcher',
      ),
      appLoggerModuleFromConfig('dispatcher'),
      DiscoveryModule,
      ScheduleModule.forRoot(),
      TerminusModule.forRoot({ logger: false }),
      rateLimitModule(),
    ],
    controllers: [
      TasksController,
      NodesController,
      ClusterController,
      SchedulesController,
      StatsController,
      BusEventsController,
      HealthController,
      MetricsController,
      EventsController,
      DashboardController,
    ],
    providers: [
      ...rest,
      { provide: APP_FILTER, useClass: DomainExceptionFilter },
      // global guards run in this order: the rate limit first (it counts unauthenticated
      // requests per client IP, so key guessing meets 429), then the API key and its scope
      { provide: APP_GUARD, useClass: RateLimitGuard },
      { provide: APP_GUARD, useClass: ApiKeyGuard },
      ...BUILT_IN_STRATEGIES,
      StrategyRegistry,
      DispatcherIdentity,
      DispatcherPresence,
      ClusterOverviewService,
      LeaderLease,
      ClusterState,
      StandbyBook,
      StandbyPlanner,
      NodePace,
      PassPlanner,
      AssignmentLoop,
      LoopWaker,
      TaskSubmission,
      TaskQuery,
      TaskControl,
      NodeHealthCheck,
      NodeDrain,
      ScheduleService,
      ScheduleRunner,
      StatsService,
      TypeLimitProbe,
      StoreHealthIndicators,
      DispatcherMetrics,
      EventFeed,
      DashboardAssets,
      DashboardHistory,
    ],
    exports: [TaskSubmission, TaskQuery, AssignmentLoop, LeaderLease],
  };
}
