import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { VALIDATION_OPTIONS } from '../../http/configure-http';
import { RequirementsDto, RetryPolicyDto, SubmitBatchDto, SubmitTaskDto } from './submit-task.dto';
import { PRECHECKED_RULES, precheckSubmitBatch, precheckSubmitTask } from './submit-task.precheck';

const pipe = new ValidationPipe(VALIDATION_OPTIONS);
const asBody = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({
  type: 'body',
  metatype,
  data: '',
});
/** What the full pipe makes of a body (a fresh parse: the pipe edits its input in place). */
const viaPipe = (json: string, metatype = SubmitTaskDto as ArgumentMetadata['metatype']) =>
  pipe.transform(JSON.parse(json), asBody(metatype));

const ID = '01JD0000000000000000000000';
const ID2 = '01JD0000000000000000000001';
const VALID: Record<string, object> = {
  'type and payload': { type: 'noop', payload: { pad: 'x'.repeat(246) } },
  'only a type': { type: 'a' },
  'every field at its bounds': {
    type: 'A.b_c:d-e',
    payload: [1, 'two', null, true, { deep: [{ deeper: {} }] }],
    priority: -1000,
    requirements: { slots: 10_000, cpu: 0, memoryMb: 100_000_000, labels: { zone: 'eu' } },
    maxAttempts: 1,
    timeoutMs: 1,
    idempotencyKey: '~'.repeat(128),
    strategy: 's'.repeat(64),
    affinityKey: 'k'.repeat(256),
    delayMs: 365 * 24 * 3600 * 1000,
    retry: { backoff: 'fixed', baseMs: 0, capMs: 7 * 24 * 3600 * 1000, jitter: 1 },
    dependsOn: [ID, ID2],
  },
  'label lists': {
    type: 'x',
    priority: 1000,
    requirements: { labels: { gpu: { in: ['a', 'b'] }, 'os/arch': { notIn: ['arm'] } } },
    retry: { backoff: 'exponential', baseMs: 5, capMs: 5, jitter: 0.5 },
    runAt: 0,
  },
  'a string payload': { type: 'x', payload: 'text' },
  'a null payload': { type: 'x', payload: null },
  'an astral strategy name': { type: 'x', strategy: '😀'.repeat(64) },
};

// each declined by the precheck: the full pipe refuses it, or copies it otherwise than as sent
const DECLINED: Record<string, unknown> = {
  'no type': { payload: 1 },
  'a bad type': { type: '-x' },
  'an unknown field': { type: 'x', extra: 1 },
  'an Object.prototype key at the top': { type: 'x', toString: 'y' },
  'priority above the bound': { type: 'x', priority: 1001 },
  'a fractional priority': { type: 'x', priority: 1.5 },
  'a numeric string': { type: 'x', priority: '1' },
  'null for an optional field': { type: 'x', timeoutMs: null },
  'slots 0': { type: 'x', requirements: { slots: 0 } },
  'an unknown requirement': { type: 'x', requirements: { gpus: 1 } },
  'requirements as an array': { type: 'x', requirements: [] },
  'a bad label key': { type: 'x', requirements: { labels: { 'a b': 'c' } } },
  'an empty label list': { type: 'x', requirements: { labels: { a: { in: [] } } } },
  'a label key the transform drops': { type: 'x', requirements: { labels: { toString: 'c' } } },
  'retry without jitter': { type: 'x', retry: { backoff: 'fixed', baseMs: 1, capMs: 1 } },
  'an infinite jitter': JSON.parse(
    '{"type":"x","retry":{"backoff":"fixed","baseMs":1,"capMs":1,"jitter":1e999}}',
  ),
  'a repeated dependency': { type: 'x', dependsOn: [ID, ID] },
  'an empty dependsOn': { type: 'x', dependsOn: [] },
  'a bad dependency id': { type: 'x', dependsOn: ['nope'] },
  'a strategy over 64 characters': { type: 'x', strategy: 's'.repeat(65) },
  'a payload key the transform drops': { type: 'x', payload: { a: { valueOf: 1 } } },
  'a payload constructor key': { type: 'x', payload: [{ constructor: 1 }] },
  'a payload __proto__ key': JSON.parse('{"type":"x","payload":{"__proto__":{"a":1}}}'),
  'a payload prototype key': { type: 'x', payload: { prototype: 1 } },
  null: null,
  'an array': [{ type: 'x' }],
  'a string': 'x',
};

/** A constraint as the precheck's rule list writes it (options objects and absent messages left out). */
const constraint = (c: unknown): string[] =>
  c instanceof RegExp || Array.isArray(c)
    ? [String(c)]
    : c === null || c === undefined || typeof c === 'object'
      ? []
      : [String(c)];

/** Every rule class-validator holds for a DTO, per property, in the precheck's notation. */
const rulesOf = (dto: new () => object): Record<string, string[]> => {
  const rules: Record<string, string[]> = {};
  for (const m of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
    const rule =
      m.type === 'conditionalValidation'
        ? 'ifPresent'
        : m.type === 'nestedValidation'
          ? 'nested'
          : m.type === 'whitelistValidation'
            ? 'allow'
            : `${m.name}(${(m.constraints ?? []).flatMap(constraint).join(',')})`;
    (rules[m.propertyName] ??= []).push(rule);
  }
  return rules;
};

const sorted = (rules: Record<string, readonly string[]>): Record<string, string[]> =>
  Object.fromEntries(Object.entries(rules).map(([field, list]) => [field, [...list].sort()]));

describe('precheckSubmitTask', () => {
  it('mirrors every rule of the DTOs (a new or changed rule needs its check in the precheck)', () => {
    expect(sorted(PRECHECKED_RULES.task)).toEqual(sorted(rulesOf(SubmitTaskDto)));
    expect(sorted(PRECHECKED_RULES.requirements)).toEqual(sorted(rulesOf(RequirementsDto)));
    expect(sorted(PRECHECKED_RULES.retry)).toEqual(sorted(rulesOf(RetryPolicyDto)));
    expect(sorted(PRECHECKED_RULES.batch)).toEqual(sorted(rulesOf(SubmitBatchDto)));
  });

  it.each(Object.entries(VALID))('accepts %s as the full pipe builds it', async (_name, body) => {
    const json = JSON.stringify(body);
    const accepted = precheckSubmitTask(JSON.parse(json));
    expect(accepted).toBeInstanceOf(SubmitTaskDto);
    expect(accepted).toStrictEqual(await viaPipe(json));
  });

  it.each(Object.entries(DECLINED))('leaves %s to the full pipe', (_name, body) => {
    expect(precheckSubmitTask(body)).toBeUndefined();
  });

  it('declines only bodies the full pipe refuses or copies differently', async () => {
    for (const body of Object.values(DECLINED)) {
      const json = JSON.stringify(body) ?? 'null';
      const outcome = await pipe.transform(body, asBody(SubmitTaskDto)).then(
        (dto: unknown) => JSON.stringify(dto),
        () => 'refused',
      );
      expect([json, outcome]).not.toEqual([json, json]);
    }
  });
});

describe('precheckSubmitBatch', () => {
  it('accepts a batch of valid tasks as the full pipe builds it', async () => {
    const json = JSON.stringify({ tasks: Object.values(VALID) });
    const accepted = precheckSubmitBatch(JSON.parse(json));
    expect(accepted).toBeInstanceOf(SubmitBatchDto);
    expect(accepted).toStrictEqual(await viaPipe(json, SubmitBatchDto));
  });

  it.each([
    ['one invalid task', { tasks: [{ type: 'x' }, { type: 'x', priority: 2000 }] }],
    ['no tasks', { tasks: [] }],
    ['tasks not a list', { tasks: { type: 'x' } }],
    ['an unknown field', { tasks: [{ type: 'x' }], more: true }],
  ])('leaves a batch with %s to the full pipe', (_name, body) => {
    expect(precheckSubmitBatch(body)).toBeUndefined();
  });
});
