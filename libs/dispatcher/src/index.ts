// @switchyard/dispatcher: host a Switchyard dispatcher in any Nest app. Import from here only.
export * from './dispatcher.module';
export * from './http/configure-http';
export * from './http/openapi';
export * from './leadership/leader-lease';
export * from './scheduling/cluster-state';
export * from './tasks/task-submission.service';
