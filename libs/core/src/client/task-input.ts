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
const MAX_DELAY_MS = 365 * 24 * 3600 * 1000;

/** An input that passed the checks: its spec, and its payload as the JSON text that was measured. */
export interface CheckedTasks {
  specs: TaskSpec[];
  payloadJsons: string[];
}

function isWholeIn(value: number | undefined, min: number, max: number): boolean {
  return value === undefined || (Number.isInteger(value) && value >= min && value <= max);
}

function field(where: string | number, name: string): string {
  return typeof where === 'number' ? `tasks[${where}].${name}` : `${where}${name}`;
}

function outOfRange(name: string, min: number, max: number): InvalidInputError {
  return new InvalidInputError(`${name} must be an integer from ${min} to ${max}`);
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
  return checkTask(input, config, now, where, undefined, [], 0);
}

/**
 * `toTaskSpec` for every input of a batch (a field is named `tasks[i].field` when there are
 * several), keeping each payload's JSON text so it is serialised once, not again for the record.
 */
export function checkTasks(
  inputs: readonly TaskInput[],
  config: SwitchyardConfig,
  now: number,
): CheckedTasks {
  const specs: TaskSpec[] = new Array(inputs.length);
  const payloadJsons: string[] = new Array(inputs.length);
  // a batch usually repeats one type: its pattern is tested once per distinct string
  const typeOk: TypeMemo = { last: undefined };
  for (let i = 0; i < inputs.length; i++) {
    specs[i] = checkTask(
      inputs[i],
      config,
      now,
      inputs.length > 1 ? i : '',
      typeOk,
      payloadJsons,
      i,
    );
  }
  return { specs, payloadJsons };
}

interface TypeMemo {
  last: string | undefined;
}

/**
 * `where`: the prefix of field names in errors, or the input's index in a batch (built only on
 * error). The payload's JSON text goes to `payloadJsons[at]`.
 */
function checkTask(
  input: TaskInput,
  config: SwitchyardConfig,
  now: number,
  where: string | number,
  typeOk: TypeMemo | undefined,
  payloadJsons: string[],
  at: number,
): TaskSpec {
  const type = input?.type;
  if (typeof type !== 'string' || (type !== typeOk?.last && !TYPE_PATTERN.test(type))) {
    throw new InvalidInputError(`${field(where, 'type')} must match ${TYPE_PATTERN}`);
  }
  if (typeOk !== undefined) typeOk.last = type;
  const payload = input.payload ?? null;
  const payloadJson = JSON.stringify(payload);
  // UTF-8 takes at most three bytes per UTF-16 unit: most payloads need no byte count
  // (undefined, for a function payload, goes to Buffer.byteLength, which throws as it always has)
  if (payloadJson === undefined || payloadJson.length * 3 > config.maxPayloadBytes) {
    const payloadBytes = Buffer.byteLength(payloadJson);
    if (payloadBytes > config.maxPayloadBytes) {
      throw new LimitExceededError(
        'MAX_PAYLOAD_BYTES',
        `${field(where, 'payload')} is ${payloadBytes} bytes; the limit is ${config.maxPayloadBytes}`,
      );
    }
  }
  if (!isWholeIn(input.priority, -1000, 1000))
    throw outOfRange(field(where, 'priority'), -1000, 1000);
  if (!isWholeIn(input.maxAttempts, 1, config.maxAttemptsLimit))
    throw outOfRange(field(where, 'maxAttempts'), 1, config.maxAttemptsLimit);
  if (!isWholeIn(input.timeoutMs, 1, config.maxTimeoutMs))
    throw outOfRange(field(where, 'timeoutMs'), 1, config.maxTimeoutMs);
  if (!isWholeIn(input.delayMs, 0, MAX_DELAY_MS))
    throw outOfRange(field(where, 'delayMs'), 0, MAX_DELAY_MS);
  const req = input.requirements ?? {};
  if (!isWholeIn(req.slots, 1, 10_000))
    throw outOfRange(field(where, 'requirements.slots'), 1, 10_000);
  if (!isWholeIn(req.cpu, 0, 10_000_000))
    throw outOfRange(field(where, 'requirements.cpu'), 0, 10_000_000);
  if (!isWholeIn(req.memoryMb, 0, 100_000_000))
    throw outOfRange(field(where, 'requirements.memoryMb'), 0, 100_000_000);
  const labels = req.labels ?? {};
  if (Object.keys(labels).length > config.maxLabels) {
    throw new InvalidInputError(
      `${field(where, 'requirements.labels')} has more than ${config.maxLabels} keys`,
    );
  }
  const delayMs = input.delayMs ?? 0;
  // optional keys are assigned in the order the spec has always had them
  const spec: TaskSpec = {
    type,
    payload,
    priority: input.priority ?? 0,
    requirements: { slots: req.slots ?? 1, cpu: req.cpu ?? 0, memoryMb: req.memoryMb ?? 0, labels },
    maxAttempts: input.maxAttempts ?? maxAttemptsFor(config, type),
    timeoutMs: input.timeoutMs ?? config.defaultTimeoutMs,
  };
  if (input.idempotencyKey !== undefined) spec.idempotencyKey = input.idempotencyKey;
  if (input.affinityKey !== undefined) spec.affinityKey = input.affinityKey;
  if (delayMs > 0) spec.runAt = now + delayMs;
  if (input.retry !== undefined) spec.retry = { ...input.retry };
  payloadJsons[at] = payloadJson;
  return spec;
}
