import { Module } from '@nestjs/common';
import { ExampleHandlers } from './example.handlers';

@Module({ providers: [ExampleHandlers] })
export class ExampleHandlersModule {}
