import { registerDecorator, type ValidationOptions } from 'class-validator';

const KEY = /^[A-Za-z0-9._/-]{1,63}$/;
const MAX_VALUE_LENGTH = 128;
const MAX_KEYS = 32;
const MAX_LIST = 32;

function isValue(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_VALUE_LENGTH;
}

/** A label selector: `{ key: 'value' | { in: [...] } | { notIn: [...] } }`, bounded in size. */
export function isLabelSelector(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_KEYS) return false;
  return entries.every(([key, want]) => {
    if (!KEY.test(key)) return false;
    if (isValue(want)) return true;
    if (typeof want !== 'object' || want === null || Array.isArray(want)) return false;
    const forms = Object.keys(want);
    if (forms.length !== 1 || (forms[0] !== 'in' && forms[0] !== 'notIn')) return false;
    const list = (want as Record<string, unknown>)[forms[0]];
    return (
      Array.isArray(list) && list.length >= 1 && list.length <= MAX_LIST && list.every(isValue)
    );
  });
}

export function IsLabelSelector(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isLabelSelector',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `$property must map label keys to a value, {"in": [...]} or {"notIn": [...]} (at most ${MAX_KEYS} keys)`,
        ...options,
      },
      validator: { validate: isLabelSelector },
    });
}
