import {
  InvalidInputError,
  LimitExceededError,
  NotLeaderError,
  StoreUnavailableError,
  SwitchyardError,
} from '../errors/switchyard.error';

/** Turns what ioredis throws into a domain error: script refusals keep their meaning, the rest is "Redis unavailable". */
export function translateRedisError(err: unknown): Error {
  if (err instanceof SwitchyardError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith('NOTLEADER')) return new NotLeaderError();
  if (message.startsWith('QUEUEFULL')) {
    return new LimitExceededError('MAX_QUEUED_PER_TYPE', message.slice('QUEUEFULL '.length));
  }
  if (message.startsWith('SCHEDULES')) {
    return new LimitExceededError('MAX_SCHEDULES', message.slice('SCHEDULES '.length));
  }
  if (message.startsWith('NODEP')) return new InvalidInputError(message.slice('NODEP '.length));
  if (message.startsWith('DEPENDENTS')) {
    return new LimitExceededError('MAX_DEPENDENTS', message.slice('DEPENDENTS '.length));
  }
  if (err instanceof Error && err.name === 'ReplyError') return err;
  return new StoreUnavailableError(message);
}

export async function inStore<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (err) {
    throw translateRedisError(err);
  }
}
