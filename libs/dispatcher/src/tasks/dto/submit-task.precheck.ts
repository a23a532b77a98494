import {
  arrayMaxSize,
  arrayMinSize,
  arrayUnique,
  isArray,
  isIn,
  isInt,
  isNumber,
  isString,
  length,
  matches,
  max,
  min,
} from 'class-validator';
import {
  MAX_CPU,
  MAX_DELAY_MS,
  MAX_MEMORY_MB,
  MAX_PRIORITY,
  MAX_SLOTS,
  TASK_TYPE_PATTERN,
} from '@switchyard/core';
import { labelSelectorProblem } from './label-selector.validator';
import {
  BACKOFF_KINDS,
  KEY_PATTERN,
  MAX_AFFINITY_KEY_LENGTH,
  MAX_BATCH_LIST,
  MAX_DEPENDS_ON_LIST,
  MAX_RETRY_DELAY_MS,
  MAX_STRATEGY_LENGTH,
  RequirementsDto,
  RetryPolicyDto,
  SubmitBatchDto,
  SubmitTaskDto,
  TASK_ID_PATTERN,
} from './submit-task.dto';

/*
 * Why: class-transformer and class-validator cost about half the dispatcher's CPU per task of
 * `POST /tasks/batch` (a ValidationError object per property checked, a deep copy of every
 * payload) and a tenth of a single `POST /tasks`. A precheck answers only "certainly valid":
 * it uses class-validator's own check functions with the DTO's own bounds, and gives up
 * (undefined) on anything else (a missing required field, an unknown or prototype-like key, a
 * bad value), so the ValidationPipe then decides with the same messages as ever. What it
 * accepts it returns in the shape the pipe would: DTO class instances, the payload as sent
 * (the pipe's copy of a JSON value without prototype-like keys is equal to it).
 */

type Plain = Record<string, unknown>;

/**
 * The DTO rules the checks below mirror, per field, as class-validator records them:
 * `name(constraints)` for a check, `ifPresent` for @IfPresent, `nested` for @ValidateNested,
 * `allow` for @Allow. Written out by hand, not read from the DTOs: a spec compares them with the
 * DTOs' metadata, so a rule added to or changed in a DTO fails it until the check here follows.
 */
export const PRECHECKED_RULES = {
  task: {
    type: ['isString()', `matches(${TASK_TYPE_PATTERN})`],
    payload: ['allow'],
    priority: ['ifPresent', 'isInt()', `min(${-MAX_PRIORITY})`, `max(${MAX_PRIORITY})`],
    requirements: ['ifPresent', 'isObject()', 'nested'],
    maxAttempts: ['ifPresent', 'isInt()', 'min(1)'],
    timeoutMs: ['ifPresent', 'isInt()', 'min(1)'],
    idempotencyKey: ['ifPresent', 'isString()', `matches(${KEY_PATTERN})`],
    strategy: ['ifPresent', 'isString()', `isLength(1,${MAX_STRATEGY_LENGTH})`],
    affinityKey: ['ifPresent', 'isString()', `isLength(1,${MAX_AFFINITY_KEY_LENGTH})`],
    delayMs: ['ifPresent', 'isInt()', 'min(0)', `max(${MAX_DELAY_MS})`],
    runAt: ['ifPresent', 'isInt()', 'min(0)'],
    retry: ['ifPresent', 'isObject()', 'nested'],
    dependsOn: [
      'ifPresent',
      'isArray()',
      'arrayMinSize(1)',
      `arrayMaxSize(${MAX_DEPENDS_ON_LIST})`,
      'arrayUnique()',
      `matches(${TASK_ID_PATTERN})`,
    ],
  },
  requirements: {
    slots: ['ifPresent', 'isInt()', 'min(1)', `max(${MAX_SLOTS})`],
    cpu: ['ifPresent', 'isInt()', 'min(0)', `max(${MAX_CPU})`],
    memoryMb: ['ifPresent', 'isInt()', 'min(0)', `max(${MAX_MEMORY_MB})`],
    labels: ['ifPresent', 'isLabelSelector()'],
  },
  retry: {
    backoff: [`isIn(${BACKOFF_KINDS.join(',')})`],
    baseMs: ['isInt()', 'min(0)', `max(${MAX_RETRY_DELAY_MS})`],
    capMs: ['isInt()', 'min(0)', `max(${MAX_RETRY_DELAY_MS})`],
    jitter: ['isNumber()', 'min(0)', 'max(1)'],
  },
  batch: {
    tasks: ['nested', 'isArray()', 'arrayMinSize(1)', `arrayMaxSize(${MAX_BATCH_LIST})`],
  },
};
const TASK_KEYS = new Set(Object.keys(PRECHECKED_RULES.task));
const REQUIREMENT_KEYS = new Set(Object.keys(PRECHECKED_RULES.requirements));
const RETRY_KEYS = Object.keys(PRECHECKED_RULES.retry);
const RETRY_KEY_SET = new Set(RETRY_KEYS);

/** A JSON object (not null, not an array) whose keys are all in `known`. */
function isPlainWith(value: unknown, known: ReadonlySet<string>): value is Plain {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key of Object.keys(value)) if (!known.has(key)) return false;
  return true;
}

/**
 * No object inside holds a key the pipe would strip (`__proto__`, `prototype`, `constructor`)
 * or class-transformer would skip (any other Object.prototype member, e.g. `toString`).
 * Iterative: the depth is bounded by MAX_JSON_DEPTH only.
 */
function hasOnlyPlainKeys(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
      continue;
    }
    for (const key of Object.keys(v)) {
      if (key in Object.prototype || key === 'prototype') return false;
      stack.push((v as Plain)[key]);
    }
  }
  return true;
}

function intIn(v: unknown, lo: number, hi: number): boolean {
  return isInt(v) && min(v, lo) && max(v, hi);
}

function optionalIntIn(v: unknown, lo: number, hi = Infinity): boolean {
  return v === undefined || intIn(v, lo, hi);
}

function optionalLength(v: unknown, hi: number): boolean {
  return v === undefined || (isString(v) && length(v, 1, hi));
}

function requirementsPass(r: unknown): boolean {
  if (r === undefined) return true;
  if (!isPlainWith(r, REQUIREMENT_KEYS)) return false;
  return (
    optionalIntIn(r.slots, 1, MAX_SLOTS) &&
    optionalIntIn(r.cpu, 0, MAX_CPU) &&
    optionalIntIn(r.memoryMb, 0, MAX_MEMORY_MB) &&
    (r.labels === undefined ||
      (labelSelectorProblem(r.labels) === null && hasOnlyPlainKeys(r.labels)))
  );
}

function retryPasses(r: unknown): boolean {
  if (r === undefined) return true;
  if (!isPlainWith(r, RETRY_KEY_SET)) return false;
  return (
    RETRY_KEYS.every((k) => r[k] !== undefined) &&
    isIn(r.backoff, BACKOFF_KINDS) &&
    intIn(r.baseMs, 0, MAX_RETRY_DELAY_MS) &&
    intIn(r.capMs, 0, MAX_RETRY_DELAY_MS) &&
    isNumber(r.jitter) &&
    min(r.jitter, 0) &&
    max(r.jitter, 1)
  );
}

function dependsOnPasses(d: unknown): boolean {
  if (d === undefined) return true;
  return (
    isArray(d) &&
    arrayMinSize(d, 1) &&
    arrayMaxSize(d, MAX_DEPENDS_ON_LIST) &&
    arrayUnique(d) &&
    d.every((id) => matches(id, TASK_ID_PATTERN))
  );
}

function taskPasses(t: Plain): boolean {
  return (
    isString(t.type) &&
    matches(t.type, TASK_TYPE_PATTERN) &&
    optionalIntIn(t.priority, -MAX_PRIORITY, MAX_PRIORITY) &&
    optionalIntIn(t.maxAttempts, 1) &&
    optionalIntIn(t.timeoutMs, 1) &&
    (t.idempotencyKey === undefined ||
      (isString(t.idempotencyKey) && matches(t.idempotencyKey, KEY_PATTERN))) &&
    optionalLength(t.strategy, MAX_STRATEGY_LENGTH) &&
    optionalLength(t.affinityKey, MAX_AFFINITY_KEY_LENGTH) &&
    optionalIntIn(t.delayMs, 0, MAX_DELAY_MS) &&
    optionalIntIn(t.runAt, 0) &&
    requirementsPass(t.requirements) &&
    retryPasses(t.retry) &&
    dependsOnPasses(t.dependsOn) &&
    hasOnlyPlainKeys(t.payload)
  );
}

/** The body as a SubmitTaskDto when it certainly passes validation; else undefined. */
export function precheckSubmitTask(value: unknown): SubmitTaskDto | undefined {
  if (!isPlainWith(value, TASK_KEYS) || !taskPasses(value)) return undefined;
  const dto = Object.assign(new SubmitTaskDto(), value);
  if (value.requirements !== undefined) {
    dto.requirements = Object.assign(new RequirementsDto(), value.requirements);
  }
  if (value.retry !== undefined) dto.retry = Object.assign(new RetryPolicyDto(), value.retry);
  if (value.dependsOn !== undefined) dto.dependsOn = [...(value.dependsOn as string[])];
  return dto;
}

const BATCH_KEYS = new Set(Object.keys(PRECHECKED_RULES.batch));

/** The body as a SubmitBatchDto when every task certainly passes; else undefined. */
export function precheckSubmitBatch(value: unknown): SubmitBatchDto | undefined {
  if (!isPlainWith(value, BATCH_KEYS)) return undefined;
  const list = value.tasks;
  if (!isArray(list) || !arrayMinSize(list, 1) || !arrayMaxSize(list, MAX_BATCH_LIST)) {
    return undefined;
  }
  const tasks: SubmitTaskDto[] = [];
  for (const item of list) {
    const dto = precheckSubmitTask(item);
    if (dto === undefined) return undefined;
    tasks.push(dto);
  }
  return Object.assign(new SubmitBatchDto(), { tasks });
}
