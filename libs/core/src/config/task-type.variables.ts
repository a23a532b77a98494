import type { RetryPolicy } from '../task/task.model';

// The JSON maps keyed by task type (STRATEGY_BY_TYPE, TYPE_LIMITS, RETRY_BY_TYPE): their checks,
// each answering what is wrong with a value, or null when it holds.

export function checkRetryPolicies(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be a JSON object of task type → retry policy';
  }
  for (const [type, policy] of Object.entries(value as Record<string, unknown>)) {
    if (typeof policy !== 'object' || policy === null)
      return `policy for "${type}" must be an object`;
    const p = policy as Partial<RetryPolicy> & { maxAttempts?: unknown };
    if (p.backoff !== undefined && p.backoff !== 'fixed' && p.backoff !== 'exponential') {
      return `policy for "${type}": backoff must be fixed or exponential`;
    }
    for (const key of ['baseMs', 'capMs', 'maxAttempts'] as const) {
      const v = p[key];
      if (v !== undefined && (!Number.isInteger(v) || (v as number) < 0)) {
        return `policy for "${type}": ${key} must be a non-negative integer`;
      }
    }
    if (p.jitter !== undefined && (typeof p.jitter !== 'number' || p.jitter < 0 || p.jitter > 1)) {
      return `policy for "${type}": jitter must be between 0 and 1`;
    }
  }
  return null;
}

export function checkStrategyMap(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be a JSON object of task type → strategy name';
  }
  for (const [type, name] of Object.entries(value as Record<string, unknown>)) {
    if (typeof name !== 'string') return `strategy for "${type}" must be a string`;
  }
  return null;
}

/** Cluster-wide limits of one task type (TYPE_LIMITS). */
export interface TypeLimit {
  /** Most tasks of the type assigned or running at once, across all nodes. */
  maxRunning?: number;
  /** Most starts (assignments) of the type per second, across all nodes. */
  maxStartsPerSecond?: number;
}

const MAX_TYPE_LIMIT = 1_000_000;

export function checkTypeLimits(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be a JSON object of task type → {maxRunning, maxStartsPerSecond}';
  }
  for (const [type, limit] of Object.entries(value as Record<string, unknown>)) {
    if (typeof limit !== 'object' || limit === null || Array.isArray(limit))
      return `limit for "${type}" must be an object`;
    for (const [key, v] of Object.entries(limit as Record<string, unknown>)) {
      if (key !== 'maxRunning' && key !== 'maxStartsPerSecond') {
        return `limit for "${type}": unknown key "${key}" (maxRunning, maxStartsPerSecond)`;
      }
      if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > MAX_TYPE_LIMIT) {
        return `limit for "${type}": ${key} must be an integer from 1 to ${MAX_TYPE_LIMIT}`;
      }
    }
  }
  return null;
}
