import { registerDecorator, type ValidationOptions } from 'class-validator';

const KEY = /^[A-Za-z0-9._/-]{1,63}$/;
export const MAX_LABEL_VALUE_LENGTH = 128;
export const MAX_LABEL_LIST = 32;
/** The largest MAX_LABELS allows; the configured MAX_LABELS is checked by the submission service. */
const MAX_KEYS = 1000;

function valueProblem(v: unknown, where: string): string | null {
  if (typeof v !== 'string') return `${where} must be a string`;
  if (v.length > MAX_LABEL_VALUE_LENGTH) {
    return `${where} is ${v.length} characters; at most ${MAX_LABEL_VALUE_LENGTH}`;
  }
  return null;
}

/**
 * What is wrong with a label selector `{ key: 'value' | { in: [...] } | { notIn: [...] } }`,
 * or null when nothing is: keys 1-63 characters of letters, digits, . _ / -; values at most
 * 128 characters; in/notIn lists of 1 to 32 values.
 */
export function labelSelectorProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be an object of label key → value, {"in": [...]} or {"notIn": [...]}';
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_KEYS) return `has ${entries.length} keys; at most ${MAX_KEYS}`;
  for (const [key, want] of entries) {
    if (!KEY.test(key)) {
      return `key "${key.slice(0, 70)}" must be 1-63 characters of letters, digits, . _ / -`;
    }
    if (typeof want === 'string') {
      const problem = valueProblem(want, `value of "${key}"`);
      if (problem !== null) return problem;
      continue;
    }
    const forms = typeof want === 'object' && want !== null ? Object.keys(want) : [];
    if (Array.isArray(want) || forms.length !== 1 || (forms[0] !== 'in' && forms[0] !== 'notIn')) {
      return `"${key}" must map to a value, {"in": [...]} or {"notIn": [...]}`;
    }
    const list = (want as Record<string, unknown>)[forms[0]];
    if (!Array.isArray(list) || list.length < 1 || list.length > MAX_LABEL_LIST) {
      return `"${key}".${forms[0]} must list 1 to ${MAX_LABEL_LIST} values`;
    }
    for (const item of list) {
      const problem = valueProblem(item, `a value of "${key}".${forms[0]}`);
      if (problem !== null) return problem;
    }
  }
  return null;
}

export function isLabelSelector(value: unknown): boolean {
  return labelSelectorProblem(value) === null;
}

export function IsLabelSelector(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isLabelSelector',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: (args) => `${args.property} ${labelSelectorProblem(args.value) ?? 'is invalid'}`,
        ...options,
      },
      validator: { validate: isLabelSelector },
    });
}
