import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { NonRetryableError, type PayloadClass } from '@switchyard/core';

/** Longest validation message kept in the task's error. */
const MAX_MESSAGE = 1024;

/**
 * Turns a payload into an instance of the handler's DTO class and validates it. A payload that
 * does not fit will never fit on a retry either, so the error is non-retryable.
 */
export async function validatePayload(dto: PayloadClass, payload: unknown): Promise<object> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new NonRetryableError(`invalid payload: must be a JSON object`, 'invalid_payload');
  }
  const instance = plainToInstance(dto, payload);
  const errors = await validate(instance, { forbidUnknownValues: true });
  if (errors.length > 0) {
    const message = `invalid payload: ${flatten(errors, '').join('; ')}`;
    throw new NonRetryableError(message.slice(0, MAX_MESSAGE), 'invalid_payload');
  }
  return instance;
}

function flatten(errors: readonly ValidationError[], path: string): string[] {
  return errors.flatMap((e) => {
    const at = `${path}${e.property}`;
    const own = Object.values(e.constraints ?? {});
    return [...own, ...flatten(e.children ?? [], `${at}.`)].map((m) =>
      own.includes(m) && path !== '' ? `${path}${m}` : m,
    );
  });
}
