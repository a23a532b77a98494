import { Module } from '@nestjs/common';
import { ThumbnailHandlers } from './thumbnail.handlers';

/** A handler module: give it to SwitchyardWorkerModule's `handlers`. */
@Module({ providers: [ThumbnailHandlers] })
export class ThumbnailHandlersModule {}
