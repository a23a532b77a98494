/**
 * A tiny schema language for bus messages. A check returns null when the value fits, or the
 * first problem: where (a path like `tasks[3].lease`, built only on failure, so a valid
 * message costs no string work) and what is wrong. Required fields only; fields a check does
 * not name are ignored, so a newer sender may add one without older receivers dropping its
 * messages (rolling upgrades).
 */
export interface Problem {
  at: string;
  expected: string;
}

export type Check = (value: unknown) => Problem | null;

/** "tasks[3].lease must be an integer from 0 to …" (or "the message must be an object"). */
export function describeProblem(problem: Problem): string {
  return `${problem.at === '' ? 'the message' : problem.at} must be ${problem.expected}`;
}

const under = (step: string, p: Problem): Problem => ({
  at: p.at === '' ? step : p.at.startsWith('[') ? `${step}${p.at}` : `${step}.${p.at}`,
  expected: p.expected,
});

export function int(min: number, max: number): Check {
  const problem = { at: '', expected: `an integer from ${min} to ${max}` };
  return (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? null : problem;
}

export function text(min: number, max: number, pattern?: RegExp): Check {
  const length = { at: '', expected: `a string of ${min} to ${max} characters` };
  const shape = { at: '', expected: `a string matching ${pattern?.source}` };
  return (v) => {
    if (typeof v !== 'string' || v.length < min || v.length > max) return length;
    return pattern === undefined || pattern.test(v) ? null : shape;
  };
}

export function oneOf(values: readonly string[]): Check {
  const problem = { at: '', expected: `one of ${values.join(', ')}` };
  return (v) => (typeof v === 'string' && values.includes(v) ? null : problem);
}

export function list(item: Check, maxLength: number): Check {
  const problem = { at: '', expected: `an array of at most ${maxLength} items` };
  return (v) => {
    if (!Array.isArray(v) || v.length > maxLength) return problem;
    for (let i = 0; i < v.length; i++) {
      const p = item(v[i]);
      if (p !== null) return under(`[${i}]`, p);
    }
    return null;
  };
}

/** A field a newer sender adds: absent is fine, present must pass `check`. */
export function optional(check: Check): Check {
  return (v) => (v === undefined ? null : check(v));
}

export function record(fields: Record<string, Check>): Check {
  // two plain arrays and an index loop: this runs for every task of every assignment, and
  // destructuring [key, check] pairs from an iterator was most of a valid message's check
  const keys = Object.keys(fields);
  const checks = keys.map((key) => fields[key]);
  const problem = { at: '', expected: 'an object' };
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return problem;
    for (let i = 0; i < keys.length; i++) {
      const p = checks[i]((v as Record<string, unknown>)[keys[i]]);
      if (p !== null) return under(keys[i], p);
    }
    return null;
  };
}
