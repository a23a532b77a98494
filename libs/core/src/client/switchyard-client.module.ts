import {
  ConfigurableModuleBuilder,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { SwitchyardConfig } from '../config/switchyard-config';
import type { HttpClientOptions } from './http-backend';
import { SwitchyardClient } from './switchyard-client';

/** Over Redis (a loaded config, e.g. `loadConfig(process.env)`) or over the dispatcher's HTTP API. */
export type SwitchyardClientModuleOptions =
  { redis: SwitchyardConfig } | { http: HttpClientOptions };

const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } =
  new ConfigurableModuleBuilder<SwitchyardClientModuleOptions>()
    .setClassMethodName('forRoot')
    .setExtras({ isGlobal: false }, (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
    }))
    .build();

/**
 * Makes `SwitchyardClient` injectable:
 *   SwitchyardClientModule.forRoot({ http: { url, apiKey } })
 *   SwitchyardClientModule.forRootAsync({ inject: [ConfigService], useFactory: (c) => ({ redis: ... }) })
 * Inject it typed with `@Inject(SwitchyardClient) client: SwitchyardClient<MyTasks>`.
 * The client is closed when the application shuts down.
 */
@Module({
  providers: [
    {
      provide: SwitchyardClient,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: SwitchyardClientModuleOptions) =>
        'http' in options
          ? SwitchyardClient.overHttp(options.http)
          : new SwitchyardClient(options.redis),
    },
  ],
  exports: [SwitchyardClient],
})
export class SwitchyardClientModule
  extends ConfigurableModuleClass
  implements OnApplicationShutdown
{
  constructor(@Inject(SwitchyardClient) private readonly client: SwitchyardClient) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
