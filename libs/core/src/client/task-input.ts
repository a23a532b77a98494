import type { SwitchyardConfig } from '../config/switchyard-config';
import { maxAttemptsFor } from '../config/switchyard-config';
import { InvalidInputError, LimitExceededError } from '../errors/switchyard.error';
import type { RetryPolicy, TaskRequirements, TaskSpec } from '../task/task.model';

/** What a programmatic submitter gives; everything but `type` has a default from the config. */
export interface TaskInput {
  type: string;
  payload?: unknown;
  priority?: number;
  requirements?: Partial<TaskRequirements>;
  maxAttempts?: number;
  timeoutMs?: number;
  idempotencyKey?: string;
  affinityKey?: string;
  /** Start no earlier than this many ms from now (the task starts `delayed`). */
  delayMs?: number;
  retry?: RetryPolicy;
}

const TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

function wholeNumber(value: number | undefined, name: string, min: number, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    throw new InvalidInputError(`${name} must be an integer from ${min} to ${max}`);
  }
}

/**
 * Checks one input against the same bounds the HTTP API applies and fills in the defaults.
 * Throws InvalidInputError / LimitExceededError naming the field; nothing is written then.
 */
export function toTaskSpec(
  input: TaskInput,
  config: SwitchyardConfig,
  now: number,
  where = '',
): TaskSpec {
  if (typeof input?.type !== 'string' || !TYPE_PATTERN.test(input.type)) {
    throw new InvalidInputError(`${where}type must match ${TYPE_PATTERN}`);
  }
  const payloadJson = JSON.stringify(input.payload ?? null);
  const payloadBytes = Buffer.byteLength(payloadJson);
  if (payloadBytes > config.maxPayloadBytes) {
    throw new LimitExceededError(
      'MAX_PAYLOAD_BYTES',
      `${where}payload is ${payloadBytes} bytes; the limit is ${config.maxPayloadBytes}`,
    );
  }
  wholeNumber(input.priority, `${where}priority`, -1000, 1000);
  wholeNumber(input.maxAttempts, `${where}maxAttempts`, 1, config.maxAttemptsLimit);
  wholeNumber(input.timeoutMs, `${where}timeoutMs`, 1, config.maxTimeoutMs);
  wholeNumber(input.delayMs, `${where}delayMs`, 0, 365 * 24 * 3600 * 1000);
  const req = input.requirements ?? {};
  wholeNumber(req.slots, `${where}requirements.slots`, 1, 10_000);
  wholeNumber(req.cpu, `${where}requirements.cpu`, 0, 10_000_000);
  wholeNumber(req.memoryMb, `${where}requirements.memoryMb`, 0, 100_000_000);
  const labels = req.labels ?? {};
  if (Object.keys(labels).length > config.maxLabels) {
    throw new InvalidInputError(
      `${where}requirements.labels has more than ${config.maxLabels} keys`,
    );
  }
  const delayMs = input.delayMs ?? 0;
  return {
    type: input.type,
    payload: input.payload ?? null,
    priority: input.priority ?? 0,
    requirements: { slots: req.slots ?? 1, cpu: req.cpu ?? 0, memoryMb: req.memoryMb ?? 0, labels },
    maxAttempts: input.maxAttempts ?? maxAttemptsFor(config, input.type),
    timeoutMs: input.timeoutMs ?? config.defaultTimeoutMs,
    ...(input.idempotencyKey !== undefined && { idempotencyKey: input.idempotencyKey }),
    ...(input.affinityKey !== undefined && { affinityKey: input.affinityKey }),
    ...(delayMs > 0 && { runAt: now + delayMs }),
    ...(input.retry !== undefined && { retry: { ...input.retry } }),
  };
}
