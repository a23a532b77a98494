import { Module } from '@nestjs/common';
import { loadConfig } from '@switchyard/core';
// the worker runtime still lives in apps/worker (not yet a package of its own)
import { SwitchyardWorkerModule } from '../../apps/worker/src/worker.module';
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
