import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type ModuleMetadata,
  type Provider,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { SWITCHYARD_CONFIG, type SwitchyardConfig } from '../config/switchyard-config';
import { BusDrops } from '../messaging/bus-drops';
import { BusLink } from '../messaging/bus-link';
import { BusPublisher } from '../messaging/bus-publisher';
import { SwitchyardRedisClient } from '../messaging/switchyard-redis.client';
import { DispatcherRegistryStore } from './dispatcher-registry.store';
import { EventStore } from './event.store';
import { Keyspace } from './keyspace';
import { LeaderLeaseStore } from './leader-lease.store';
import { configureScripts } from './lua-scripts';
import { RateLimitStore } from './rate-limit.store';
import { NodeStore } from './node.store';
import { ScheduleStore } from './schedule.store';
import { closeRedis, connectRedis, createRedis } from './redis-connection';
import { StatsStore } from './stats.store';
import { TaskControlStore } from './task-control.store';
import { TaskReadStore } from './task-read.store';
import { TaskReportStore } from './task-report.store';
import { TaskSchedulingStore } from './task-scheduling.store';
import { TaskSubmissionStore } from './task-submission.store';
import { TaskStore } from './task.store';

/** The command connection every store shares. */
export const REDIS = Symbol('SWITCHYARD_REDIS');
/** A connection of its own for durable submits (SUBMIT_DURABILITY), or null. */
const SUBMIT_REDIS = Symbol('SWITCHYARD_SUBMIT_REDIS');

/** Connects at start (with a deadline) and closes the connection and the bus client last. */
@Injectable()
class StoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SUBMIT_REDIS) private readonly submitRedis: Redis | null,
    private readonly bus: BusPublisher,
  ) {}

  async onModuleInit(): Promise<void> {
    await connectRedis(this.redis);
    if (this.submitRedis) await connectRedis(this.submitRedis);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close().catch(() => undefined);
    if (this.submitRedis) await closeRedis(this.submitRedis);
    await closeRedis(this.redis);
  }
}

/** Redis connection, keyspace, stores and bus publisher, from one validated config. */
@Global()
@Module({})
export class SwitchyardStoreModule {
  static forRoot(config: SwitchyardConfig, connectionName: string): DynamicModule {
    return SwitchyardStoreModule.forConfigProvider(
      { provide: SWITCHYARD_CONFIG, useValue: config },
      [],
      () => connectionName,
    );
  }

  /**
   * The same, with the config from any provider of SWITCHYARD_CONFIG (a factory with its own
   * `imports`/`inject`): what the async forms of the worker and dispatcher modules use.
   */
  static forConfigProvider(
    configProvider: Provider,
    imports: NonNullable<ModuleMetadata['imports']>,
    connectionName: (config: SwitchyardConfig) => string,
  ): DynamicModule {
    return {
      module: SwitchyardStoreModule,
      imports,
      providers: [
        configProvider,
        {
          provide: REDIS,
          inject: [SWITCHYARD_CONFIG],
          useFactory: (config: SwitchyardConfig) => {
            // process-wide script settings: set before the first script runs on this connection
            configureScripts({ eventsMaxLen: config.eventsMaxLen });
            return createRedis(config, connectionName(config));
          },
        },
        {
          provide: SUBMIT_REDIS,
          inject: [SWITCHYARD_CONFIG],
          useFactory: (config: SwitchyardConfig) =>
            config.submitDurability > 0
              ? createRedis(config, `${connectionName(config)}-submit`)
              : null,
        },
        {
          provide: Keyspace,
          inject: [SWITCHYARD_CONFIG],
          useFactory: (config: SwitchyardConfig) => new Keyspace(config.prefix),
        },
        {
          provide: TaskStore,
          inject: [REDIS, Keyspace, SUBMIT_REDIS, SWITCHYARD_CONFIG],
          useFactory: (
            redis: Redis,
            keys: Keyspace,
            submitRedis: Redis | null,
            config: SwitchyardConfig,
          ) => new TaskStore(redis, keys, config, submitRedis ?? redis),
        },
        // each app service injects the part of TaskStore it uses (one object graph, no wrapper)
        {
          provide: TaskSubmissionStore,
          inject: [TaskStore],
          useFactory: (t: TaskStore) => t.submission,
        },
        {
          provide: TaskSchedulingStore,
          inject: [TaskStore],
          useFactory: (t: TaskStore) => t.scheduling,
        },
        { provide: TaskReportStore, inject: [TaskStore], useFactory: (t: TaskStore) => t.reports },
        { provide: TaskControlStore, inject: [TaskStore], useFactory: (t: TaskStore) => t.control },
        { provide: TaskReadStore, inject: [TaskStore], useFactory: (t: TaskStore) => t.reads },
        {
          provide: NodeStore,
          inject: [REDIS, Keyspace, SWITCHYARD_CONFIG],
          useFactory: (redis: Redis, keys: Keyspace, config: SwitchyardConfig) =>
            new NodeStore(redis, keys, config),
        },
        {
          provide: ScheduleStore,
          inject: [REDIS, Keyspace, SWITCHYARD_CONFIG],
          useFactory: (redis: Redis, keys: Keyspace, config: SwitchyardConfig) =>
            new ScheduleStore(redis, keys, config),
        },
        {
          provide: LeaderLeaseStore,
          inject: [REDIS, Keyspace],
          useFactory: (redis: Redis, keys: Keyspace) => new LeaderLeaseStore(redis, keys),
        },
        {
          provide: DispatcherRegistryStore,
          inject: [REDIS, Keyspace],
          useFactory: (redis: Redis, keys: Keyspace) => new DispatcherRegistryStore(redis, keys),
        },
        {
          provide: StatsStore,
          inject: [REDIS, Keyspace],
          useFactory: (redis: Redis, keys: Keyspace) => new StatsStore(redis, keys),
        },
        {
          provide: EventStore,
          inject: [REDIS, Keyspace],
          useFactory: (redis: Redis, keys: Keyspace) => new EventStore(redis, keys),
        },
        {
          provide: RateLimitStore,
          inject: [REDIS, Keyspace],
          useFactory: (redis: Redis, keys: Keyspace) => new RateLimitStore(redis, keys),
        },
        {
          provide: BusPublisher,
          inject: [SWITCHYARD_CONFIG],
          useFactory: (config: SwitchyardConfig) =>
            new BusPublisher(new SwitchyardRedisClient(config, config.prefix)),
        },
        BusLink,
        { provide: BusDrops, useFactory: () => new BusDrops() },
        StoreLifecycle,
      ],
      exports: [
        SWITCHYARD_CONFIG,
        REDIS,
        Keyspace,
        TaskStore,
        TaskSubmissionStore,
        TaskSchedulingStore,
        TaskReportStore,
        TaskControlStore,
        TaskReadStore,
        NodeStore,
        ScheduleStore,
        LeaderLeaseStore,
        DispatcherRegistryStore,
        StatsStore,
        EventStore,
        RateLimitStore,
        BusPublisher,
        BusLink,
        BusDrops,
      ],
    };
  }
}
