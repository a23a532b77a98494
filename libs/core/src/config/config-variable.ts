import { ConfigError } from '../errors/switchyard.error';

/** One environment variable: how it is read, its default and what it means (docs are generated from these). */
export interface ConfigVariable<T> {
  name: string;
  description: string;
  /** Shown in the docs; undefined = required or computed. */
  defaultText: string;
  read(raw: string | undefined): T;
}

type Env = Record<string, string | undefined>;

function present(raw: string | undefined): raw is string {
  return raw !== undefined && raw.trim() !== '';
}

export function intVar(
  name: string,
  description: string,
  fallback: number,
  min: number,
  max: number,
): ConfigVariable<number> {
  return {
    name,
    description,
    defaultText: String(fallback),
    read(raw) {
      if (!present(raw)) return fallback;
      const value = Number(raw.trim());
      if (!Number.isInteger(value)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
      if (value < min || value > max) {
        throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
      }
      return value;
    },
  };
}

export function numberVar(
  name: string,
  description: string,
  fallback: number,
  min: number,
  max: number,
): ConfigVariable<number> {
  return {
    name,
    description,
    defaultText: String(fallback),
    read(raw) {
      if (!present(raw)) return fallback;
      const value = Number(raw.trim());
      if (!Number.isFinite(value) || value < min || value > max) {
        throw new ConfigError(name, `must be a number between ${min} and ${max}, got "${raw}"`);
      }
      return value;
    },
  };
}

export function stringVar(
  name: string,
  description: string,
  fallback: string,
  pattern?: RegExp,
): ConfigVariable<string> {
  return {
    name,
    description,
    defaultText: fallback === '' ? '(empty)' : fallback,
    read(raw) {
      const value = present(raw) ? raw.trim() : fallback;
      if (pattern && value !== '' && !pattern.test(value)) {
        throw new ConfigError(name, `must match ${pattern}, got "${value}"`);
      }
      return value;
    },
  };
}

export function enumVar<T extends string>(
  name: string,
  description: string,
  fallback: T,
  values: readonly T[],
): ConfigVariable<T> {
  return {
    name,
    description,
    defaultText: fallback,
    read(raw) {
      if (!present(raw)) return fallback;
      const value = raw.trim() as T;
      if (!values.includes(value)) {
        throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${raw}"`);
      }
      return value;
    },
  };
}

export function boolVar(
  name: string,
  description: string,
  fallback: boolean,
): ConfigVariable<boolean> {
  return {
    name,
    description,
    defaultText: String(fallback),
    read(raw) {
      if (!present(raw)) return fallback;
      const value = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      throw new ConfigError(name, `must be true or false, got "${raw}"`);
    },
  };
}

export function jsonVar<T>(
  name: string,
  description: string,
  fallback: T,
  check: (value: unknown) => string | null,
): ConfigVariable<T> {
  return {
    name,
    description,
    defaultText: JSON.stringify(fallback),
    read(raw) {
      if (!present(raw)) return fallback;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        throw new ConfigError(name, 'must be valid JSON');
      }
      const problem = check(value);
      if (problem !== null) throw new ConfigError(name, problem);
      return value as T;
    },
  };
}

export function readVar<T>(variable: ConfigVariable<T>, env: Env): T {
  return variable.read(env[variable.name]);
}
