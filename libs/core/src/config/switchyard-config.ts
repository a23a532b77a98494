import * as os from 'node:os';
import { ConfigError } from '../errors/switchyard.error';
import type { RetryPolicy } from '../task/task.model';
import { CONFIG_VARIABLES } from './config.schema';
import { readVar, type ConfigVariable } from './config-variable';
import { redisTlsOf, type RedisTls } from './redis-security.variables';

type Schema = typeof CONFIG_VARIABLES;
type Values = { [K in keyof Schema]: Schema[K] extends ConfigVariable<infer T> ? T : never };

/** The validated configuration: parsed once at start, passed by injection, never re-read. */
export interface SwitchyardConfig extends Values {
  /** Worker node labels parsed from WORKER_LABELS. */
  labels: Record<string, string>;
  /** Task types from WORKER_TYPES (empty = every handler's type). */
  types: string[];
  /** TLS for every Redis connection (rediss:// and the REDIS_TLS_* files), or undefined. */
  redisTls?: RedisTls;
}

type Env = Record<string, string | undefined>;

function parseLabels(raw: string, maxLabels: number): Record<string, string> {
  const labels: Record<string, string> = {};
  if (raw === '') return labels;
  for (const part of raw.split(',')) {
    const [key, value, ...extra] = part.split('=');
    if (
      !key ||
      value === undefined ||
      extra.length > 0 ||
      !/^[A-Za-z0-9._/-]{1,63}$/.test(key.trim())
    ) {
      throw new ConfigError('WORKER_LABELS', `"${part}" is not key=value`);
    }
    labels[key.trim()] = value.trim();
  }
  if (Object.keys(labels).length > maxLabels) {
    throw new ConfigError('WORKER_LABELS', `at most ${maxLabels} labels (MAX_LABELS)`);
  }
  return labels;
}

/**
 * Parses and validates the environment. Throws ConfigError naming the first bad variable;
 * the apps' main files print it and exit.
 */
export function loadConfig(env: Env = {}): SwitchyardConfig {
  const values = {} as Record<string, unknown>;
  for (const [key, variable] of Object.entries(CONFIG_VARIABLES)) {
    values[key] = readVar(variable as ConfigVariable<unknown>, env);
  }
  const v = values as Values;
  if (v.redisSentinels.length > 0 && v.redisClusterNodes.length > 0) {
    throw new ConfigError(
      'REDIS_CLUSTER_NODES',
      'give REDIS_SENTINELS or REDIS_CLUSTER_NODES, not both',
    );
  }
  if (v.nodeSuspectAfterMs >= v.nodeDeadAfterMs) {
    throw new ConfigError('NODE_SUSPECT_AFTER_MS', 'must be less than NODE_DEAD_AFTER_MS');
  }
  if (v.leaderRenewMs >= v.leaderTtlMs) {
    throw new ConfigError('LEADER_RENEW_INTERVAL_MS', 'must be less than LEADER_LEASE_TTL_MS');
  }
  if (v.defaultTimeoutMs > v.maxTimeoutMs) {
    throw new ConfigError('TASK_DEFAULT_TIMEOUT_MS', 'must not exceed TASK_MAX_TIMEOUT_MS');
  }
  if (v.defaultMaxAttempts > v.maxAttemptsLimit) {
    throw new ConfigError('TASK_DEFAULT_MAX_ATTEMPTS', 'must not exceed TASK_MAX_ATTEMPTS');
  }
  return {
    ...v,
    nodeId:
      v.nodeId ||
      `${os
        .hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .slice(0, 40)}-${process.pid}`,
    workerCpu: v.workerCpu || os.cpus().length * 1000,
    workerMemoryMb: v.workerMemoryMb || Math.floor(os.totalmem() / (1024 * 1024)),
    labels: parseLabels(v.workerLabels, v.maxLabels),
    types: v.workerTypes === '' ? [] : v.workerTypes.split(',').map((t) => t.trim()),
    redisTls: redisTlsOf(v),
  };
}

/** The retry policy for a task type: its RETRY_POLICIES entry over the global defaults. */
export function retryPolicyFor(config: SwitchyardConfig, type: string): RetryPolicy {
  const own = config.retryByType[type] ?? {};
  return {
    backoff: own.backoff ?? config.retryBackoff,
    baseMs: own.baseMs ?? config.retryBaseMs,
    capMs: own.capMs ?? config.retryCapMs,
    jitter: own.jitter ?? config.retryJitter,
  };
}

export function maxAttemptsFor(config: SwitchyardConfig, type: string): number {
  return config.retryByType[type]?.maxAttempts ?? config.defaultMaxAttempts;
}

export const SWITCHYARD_CONFIG = Symbol('SWITCHYARD_CONFIG');
