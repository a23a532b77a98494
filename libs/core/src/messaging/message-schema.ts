/**
 * A tiny schema language for bus messages: each check returns null when the value fits, or
 * a short description of the first problem ("tasks[3].lease must be an integer from 0 to …").
 * Required fields only; fields a check does not name are ignored, so a newer sender may add
 * one without older receivers dropping its messages (rolling upgrades).
 */
export type Check = (value: unknown, path: string) => string | null;

const at = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
const name = (path: string): string => (path === '' ? 'the message' : path);

export function int(min: number, max: number): Check {
  return (v, path) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? null
      : `${name(path)} must be an integer from ${min} to ${max}`;
}

export function text(min: number, max: number, pattern?: RegExp): Check {
  return (v, path) => {
    if (typeof v !== 'string' || v.length < min || v.length > max)
      return `${name(path)} must be a string of ${min} to ${max} characters`;
    return pattern === undefined || pattern.test(v)
      ? null
      : `${name(path)} must match ${pattern.source}`;
  };
}

export function oneOf(values: readonly string[]): Check {
  return (v, path) =>
    typeof v === 'string' && values.includes(v)
      ? null
      : `${name(path)} must be one of ${values.join(', ')}`;
}

export function list(item: Check, maxLength: number): Check {
  return (v, path) => {
    if (!Array.isArray(v) || v.length > maxLength)
      return `${name(path)} must be an array of at most ${maxLength} items`;
    for (let i = 0; i < v.length; i++) {
      const problem = item(v[i], at(path, i));
      if (problem !== null) return problem;
    }
    return null;
  };
}

export function record(fields: Record<string, Check>): Check {
  const entries = Object.entries(fields);
  return (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return `${name(path)} must be an object`;
    for (const [key, check] of entries) {
      const problem = check((v as Record<string, unknown>)[key], at(path, key));
      if (problem !== null) return problem;
    }
    return null;
  };
}
