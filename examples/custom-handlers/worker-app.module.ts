import { Module } from '@nestjs/common';
import { loadConfig } from '@switchyard/core';
import { SwitchyardWorkerModule } from '@switchyard/worker';
import { ThumbnailHandlersModule } from './thumbnail-handlers.module';

/** An app that hosts a Switchyard worker running the thumbnail handlers. */
@Module({
  imports: [
    SwitchyardWorkerModule.forRootAsync({
      useFactory: () => loadConfig(process.env),
      handlers: [ThumbnailHandlersModule],
    }),
  ],
})
export class WorkerAppModule {}
