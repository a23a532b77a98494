/**
 * Base of every domain error. `code` is stable and machine-readable; the HTTP layer maps
 * each subclass to one status code in one place (the dispatcher's exception filter).
 */
export abstract class SwitchyardError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class TaskNotFoundError extends SwitchyardError {
  readonly code = 'task_not_found';
  constructor(readonly taskId: string) {
    super(`task ${taskId} does not exist (or its retention expired)`);
  }
}

export class NodeNotFoundError extends SwitchyardError {
  readonly code = 'node_not_found';
  constructor(readonly nodeId: string) {
    super(`node ${nodeId} is not registered`);
  }
}

export class IllegalTransitionError extends SwitchyardError {
  readonly code = 'illegal_transition';
  constructor(
    readonly taskId: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`task ${taskId} cannot go from ${from} to ${to}`);
  }
}

export class StaleLeaseError extends SwitchyardError {
  readonly code = 'stale_lease';
  constructor(
    readonly taskId: string,
    detail: string,
  ) {
    super(`report for task ${taskId} rejected: ${detail}`);
  }
}

export class NotLeaderError extends SwitchyardError {
  readonly code = 'not_leader';
  constructor() {
    super('this dispatcher no longer holds the leader lease');
  }
}

export class LimitExceededError extends SwitchyardError {
  readonly code = 'limit_exceeded';
  constructor(
    readonly limit: string,
    message: string,
  ) {
    super(message);
  }
}

export class InvalidInputError extends SwitchyardError {
  readonly code = 'invalid_input';
}

export class StoreUnavailableError extends SwitchyardError {
  readonly code = 'store_unavailable';
  constructor(detail: string) {
    super(`Redis is unavailable: ${detail}`);
  }
}

export class ConfigError extends SwitchyardError {
  readonly code = 'invalid_config';
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
  }
}

/** An action a node cannot take in its current status (e.g. draining a dead node). */
export class NodeStateError extends SwitchyardError {
  readonly code = 'node_state';
  constructor(
    readonly nodeId: string,
    readonly status: string,
    action: string,
  ) {
    super(`node ${nodeId} is ${status}: cannot ${action}`);
  }
}
