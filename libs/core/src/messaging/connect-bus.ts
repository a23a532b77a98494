import type { INestApplication } from '@nestjs/common';
import type { SwitchyardConfig } from '../config/switchyard-config';
import { BusDrops } from './bus-drops';
import { BusLink } from './bus-link';
import { SwitchyardRedisServer } from './switchyard-redis.server';

/**
 * Connects a Nest app hosting SwitchyardDispatcherModule or SwitchyardWorkerModule to the bus:
 * the Redis transport server (with the node's own channel when `nodeId` is given) becomes a
 * microservice of the app and its link is handed to BusLink; what it drops is counted in the
 * app's BusDrops (its metrics expose them). Call before startAllMicroservices.
 * A worker subscribes before it registers (listen → init), so no assignment precedes it.
 */
export function connectSwitchyardBus(
  app: INestApplication,
  config: SwitchyardConfig,
  nodeId?: string,
): SwitchyardRedisServer {
  const bus = new SwitchyardRedisServer(config, config.prefix, nodeId, {
    drops: app.get(BusDrops),
    maxMessageBytes: config.maxBusMessageBytes,
  });
  app.get(BusLink).attach(bus);
  app.connectMicroservice({ strategy: bus });
  return bus;
}
