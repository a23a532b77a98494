import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { SWITCHYARD_CONFIG, type SwitchyardConfig } from '../config/switchyard-config';
import { BusLink } from '../messaging/bus-link';
import { BusPublisher } from '../messaging/bus-publisher';
import { SwitchyardRedisClient } from '../messaging/switchyard-redis.client';
import { DispatcherRegistryStore } from './dispatcher-registry.store';
import { EventStore } from './event.store';
import { Keyspace } from './keyspace';
import { LeaderLeaseStore } from './leader-lease.store';
import { configureScripts } from './lua-scripts';
import { NodeStore } from './node.store';
import { ScheduleStore } from './schedule.store';
import { closeRedis, connectRedis, createRedis } from './redis-connection';
import { StatsStore } from './stats.store';
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
    configureScripts({ eventsMaxLen: config.eventsMaxLen });
    return {
      module: SwitchyardStoreModule,
      providers: [
        { provide: SWITCHYARD_CONFIG, useValue: config },
        { provide: REDIS, useFactory: () => createRedis(config, connectionName) },
        {
          provide: SUBMIT_REDIS,
          useFactory: () =>
            config.submitDurability > 0 ? createRedis(config, `${connectionName}-submit`) : null,
        },
        { provide: Keyspace, useFactory: () => new Keyspace(config.prefix) },
        {
          provide: TaskStore,
          inject: [REDIS, Keyspace, SUBMIT_REDIS],
          useFactory: (redis: Redis, keys: Keyspace, submitRedis: Redis | null) =>
            new TaskStore(redis, keys, config, submitRedis ?? redis),
        },
        {
          provide: NodeStore,
          inject: [REDIS, Keyspace],
          useFactory: (redis: Redis, keys: Keyspace) => new NodeStore(redis, keys, config),
        },
        {
          provide: ScheduleStore,
          inject: [REDIS, Keyspace],
          useFactory: (redis: Redis, keys: Keyspace) => new ScheduleStore(redis, keys, config),
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
          provide: BusPublisher,
          useFactory: () => new BusPublisher(new SwitchyardRedisClient(config, config.prefix)),
        },
        BusLink,
        StoreLifecycle,
      ],
      exports: [SWITCHYARD_CONFIG, REDIS, Keyspace, TaskStore, NodeStore, ScheduleStore, LeaderLeaseStore, DispatcherRegistryStore, StatsStore, EventStore, BusPublisher, BusLink],
    };
  }
}
