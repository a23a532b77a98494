import type { SwitchyardConfig } from '../config/switchyard-config';
import { maxAttemptsFor } from '../config/switchyard-config';
import { InvalidInputError, LimitExceededError } from '../errors/switchyard.error';
import {
  MAX_CPU,
  MAX_DELAY_MS,
  MAX_MEMORY_MB,
  MAX_PRIORITY,
  MAX_SLOTS,
  TASK_TYPE_PATTERN,
} from '../task/task-bounds';
import type { RetryPolicy, TaskRequirements, TaskSpec } from '../task/task.model';
import { exceedsUtf8Bytes } from '../task/utf8-bytes';

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

/** An input that passed the checks: its spec, and its payload as the JSON text that was measured. */
export interface CheckedTasks {
  specs: TaskSpec[];
  payloadJsons: string[];
}

function field(where: string | number, name: string): string {
  return typeof where === 'number' ? `tasks[${where}].${name}` : `${where}${name}`;
}

/** `name` (at `where`, named only on error) is absent or an integer from min to max. */
function wholeNumber(
  value: number | undefined,
  where: string | number,
  name: string,
  min: number,
  max: number,
): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    throw new InvalidInputError(`${field(where, name)} must be an integer from ${min} to ${max}`);
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
  // a batch usually repeats one type (its pattern is tested once per distinct string), and
  // often one payload object (its JSON is made once per run of the same object)
  const memo: BatchMemo = { lastType: undefined, payload: undefined, payloadJson: '' };
  for (let i = 0; i < inputs.length; i++) {
    specs[i] = checkTask(inputs[i], config, now, inputs.length > 1 ? i : '', memo, payloadJsons, i);
  }
  return { specs, payloadJsons };
}

/** What the previous input of a batch had: its type (pattern passed) and payload with its JSON. */
interface BatchMemo {
  lastType: string | undefined;
  payload: unknown;
  payloadJson: string;
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
  memo: BatchMemo | undefined,
  payloadJsons: string[],
  at: number,
): TaskSpec {
  const type = input?.type;
  if (typeof type !== 'string' || (type !== memo?.lastType && !TASK_TYPE_PATTERN.test(type))) {
    throw new InvalidInputError(`${field(where, 'type')} must match ${TASK_TYPE_PATTERN}`);
  }
  if (memo !== undefined) memo.lastType = type;
  const payload = input.payload ?? null;
  // the same object as the previous input's, in this same synchronous call: the same JSON
  const payloadJson =
    memo !== undefined && payload === memo.payload && typeof payload === 'object'
      ? memo.payloadJson
      : JSON.stringify(payload);
  // (undefined, for a function payload, goes to Buffer.byteLength, which throws as it always has)
  if (payloadJson === undefined || exceedsUtf8Bytes(payloadJson, config.maxPayloadBytes)) {
    throw new LimitExceededError(
      'MAX_PAYLOAD_BYTES',
      `${field(where, 'payload')} is ${Buffer.byteLength(payloadJson)} bytes; the limit is ${config.maxPayloadBytes}`,
    );
  }
  wholeNumber(input.priority, where, 'priority', -MAX_PRIORITY, MAX_PRIORITY);
  wholeNumber(input.maxAttempts, where, 'maxAttempts', 1, config.maxAttemptsLimit);
  wholeNumber(input.timeoutMs, where, 'timeoutMs', 1, config.maxTimeoutMs);
  wholeNumber(input.delayMs, where, 'delayMs', 0, MAX_DELAY_MS);
  const req = input.requirements ?? {};
  wholeNumber(req.slots, where, 'requirements.slots', 1, MAX_SLOTS);
  wholeNumber(req.cpu, where, 'requirements.cpu', 0, MAX_CPU);
  wholeNumber(req.memoryMb, where, 'requirements.memoryMb', 0, MAX_MEMORY_MB);
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
  if (memo !== undefined) {
    memo.payload = payload;
    memo.payloadJson = payloadJson;
  }
  return spec;
}
