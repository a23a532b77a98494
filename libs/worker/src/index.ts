// @switchyard/worker: host a Switchyard worker in any Nest app. Import from here only.
export * from './worker.module';
export * from './runtime/graceful-drain';
