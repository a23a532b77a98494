import type { RetryPolicy } from '../task/task.model';
import {
  boolVar,
  enumVar,
  intVar,
  jsonVar,
  numberVar,
  stringVar,
  type ConfigVariable,
} from './config-variable';
import { apiKeysVar } from './auth.variables';
import { HTTP_GUARD_VARIABLES } from './http-guard.variables';
import { durabilityVar, hostListVar } from './redis-topology.variables';
import { redisUrlVar } from './redis-security.variables';
import {
  checkRetryPolicies,
  checkStrategyMap,
  checkTypeLimits,
  type TypeLimit,
} from './task-type.variables';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Every environment variable Switchyard reads, in one table (docs/configuration.md is generated from it). */
export const CONFIG_VARIABLES = {
  redisUrl: redisUrlVar(
    'REDIS_URL',
    'Redis connection URL: redis://[user:password@]host:port[/db], or rediss:// for TLS (percent-encode special characters in the password). See docs/trust-model.md for an ACL user.',
    'redis://127.0.0.1:6379',
  ),
  redisTlsCaFile: stringVar(
    'REDIS_TLS_CA_FILE',
    'PEM file of the CA that signed the Redis server certificate (with rediss://; empty = the system CAs).',
    '',
  ),
  redisTlsCertFile: stringVar(
    'REDIS_TLS_CERT_FILE',
    'PEM client certificate, for a Redis that requires one (tls-auth-clients yes); with REDIS_TLS_KEY_FILE.',
    '',
  ),
  redisTlsKeyFile: stringVar('REDIS_TLS_KEY_FILE', 'PEM private key of REDIS_TLS_CERT_FILE.', ''),
  redisTlsRejectUnauthorized: boolVar(
    'REDIS_TLS_REJECT_UNAUTHORIZED',
    'Verify the Redis server certificate and host name (turn off only to debug a test setup).',
    true,
  ),
  // --- Redis topology (Sentinel, Cluster) and submit durability: docs/deployment.md ---
  redisSentinels: hostListVar(
    'REDIS_SENTINELS',
    'Redis Sentinel addresses, "host:port,host:port". When set, the primary is found through them (REDIS_URL then gives only the password, user, db and TLS).',
  ),
  redisSentinelMaster: stringVar(
    'REDIS_SENTINEL_MASTER',
    'Name of the monitored primary (with REDIS_SENTINELS).',
    'mymaster',
    /^[A-Za-z0-9._-]{1,64}$/,
  ),
  redisSentinelPassword: stringVar(
    'REDIS_SENTINEL_PASSWORD',
    'Password of the Sentinels themselves (empty = none).',
    '',
  ),
  redisClusterNodes: hostListVar(
    'REDIS_CLUSTER_NODES',
    'Redis Cluster seed nodes, "host:port,host:port". When set, Switchyard runs on the cluster (REDIS_URL then gives only the password, user and TLS).',
  ),
  submitDurability: durabilityVar(
    'SUBMIT_DURABILITY',
    'When a submit is answered: "none" once the primary has it; "replicas:N" once N replicas have it too (Redis WAIT), else 503.',
  ),
  submitWaitMs: intVar(
    'SUBMIT_WAIT_MS',
    'How long a submit waits for replicas under SUBMIT_DURABILITY=replicas:N.',
    1000,
    1,
    5 * SECOND,
  ),
  // --- end Redis topology ---
  prefix: stringVar(
    'SWITCHYARD_PREFIX',
    'Namespace for every Redis key (as a hash tag) and every bus channel.',
    'sy',
    /^[A-Za-z0-9_-]{1,32}$/,
  ),
  port: intVar(
    'PORT',
    'HTTP port (dispatcher API; worker health and metrics). 0 = any free port.',
    3000,
    0,
    65535,
  ),
  host: stringVar('HOST', 'Interface the HTTP server binds to.', '0.0.0.0'),
  logLevel: enumVar('LOG_LEVEL', 'Log level.', 'info', [
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
  ] as const),
  logPretty: boolVar('LOG_PRETTY', 'Human-readable logs instead of JSON lines.', false),
  // --- HTTP authentication: docs/security.md ---
  apiKeys: apiKeysVar(
    'API_KEYS',
    'API keys as "name:sha256hex:scope|scope", comma-separated: the SHA-256 of each key, never the key (scripts/api-key.js prints a key and its entry). Scopes: tasks:write, tasks:read, nodes:admin, schedules:admin.',
  ),
  insecureNoAuth: boolVar(
    'SWITCHYARD_INSECURE_NO_AUTH',
    'Development only: with no API_KEYS, start anyway and let every request in (a warning is logged). Without it, no keys means the process refuses to start.',
    false,
  ),
  authPublicReadiness: boolVar(
    'AUTH_PUBLIC_READINESS',
    'GET /health/ready answers without a key (for orchestrator probes). Liveness is always public.',
    false,
  ),
  authPublicMetrics: boolVar(
    'AUTH_PUBLIC_METRICS',
    'GET /metrics answers without a key (for a Prometheus scraper without credentials).',
    false,
  ),
  authPublicDocs: boolVar(
    'AUTH_PUBLIC_DOCS',
    'The API docs (/docs, /docs/openapi.json) answer without a key.',
    false,
  ),
  authPublicDashboard: boolVar(
    'AUTH_PUBLIC_DASHBOARD',
    'The dashboard page and its assets load without a key (its data still needs one: the page asks for it).',
    false,
  ),
  // --- end HTTP authentication ---

  nodeId: stringVar(
    'NODE_ID',
    'Worker node id (default: hostname-pid).',
    '',
    /^[A-Za-z0-9._-]{1,64}$/,
  ),
  workerSlots: intVar('WORKER_SLOTS', 'Tasks a worker runs at once.', 16, 1, 10_000),
  workerCpu: intVar(
    'WORKER_CPU_MILLICORES',
    'CPU a worker offers, in millicores (0 = cores × 1000).',
    0,
    0,
    10_000_000,
  ),
  workerMemoryMb: intVar(
    'WORKER_MEMORY_MB',
    'Memory a worker offers, in MB (0 = total memory).',
    0,
    0,
    100_000_000,
  ),
  workerLabels: stringVar('WORKER_LABELS', 'Worker labels, "key=value,key2=value2".', ''),
  workerTypes: stringVar(
    'WORKER_TYPES',
    'Comma-separated task types this worker takes (empty = all it has handlers for).',
    '',
  ),
  heartbeatIntervalMs: intVar(
    'HEARTBEAT_INTERVAL_MS',
    'How often a worker heartbeats.',
    1000,
    50,
    MINUTE,
  ),
  claimIntervalMs: intVar(
    'CLAIM_INTERVAL_MS',
    'How often a worker re-reads its leases from Redis (recovers lost notifications).',
    1000,
    50,
    MINUTE,
  ),
  reportLingerMs: intVar(
    'REPORT_LINGER_MS',
    'How long a worker gathers results while other tasks still run on it, before it writes them in one batch (the result of the last running task is written at once).',
    1,
    0,
    SECOND,
  ),
  reportWritesInFlight: intVar(
    'REPORT_WRITES_IN_FLIGHT',
    'How many result writes a worker may have in flight at once; results that end while that many are in flight go out together in the next one.',
    2,
    1,
    16,
  ),
  progressIntervalMs: intVar(
    'PROGRESS_INTERVAL_MS',
    'A worker writes the latest progress of its tasks at most this often (one batched script call; intermediate reports are coalesced).',
    500,
    10,
    MINUTE,
  ),
  maxProgressBytes: intVar(
    'MAX_PROGRESS_BYTES',
    'Largest progress data (JSON) a handler may report; larger data is dropped, the percent is kept.',
    4096,
    0,
    1024 * 1024,
  ),
  drainGraceMs: intVar(
    'DRAIN_GRACE_MS',
    'On SIGTERM, how long in-flight tasks may finish before they are handed back.',
    30 * SECOND,
    0,
    HOUR,
  ),

  tickIntervalMs: intVar(
    'SCHEDULER_TICK_MS',
    'Fallback scheduling tick (notifications trigger ticks sooner).',
    100,
    5,
    MINUTE,
  ),
  batchSize: intVar('SCHEDULER_BATCH_SIZE', 'Most tasks assigned in one tick.', 2000, 1, 50_000),
  standbyAssignments: boolVar(
    'STANDBY_ASSIGNMENTS',
    'The leader also names, per node, queued tasks (up to STANDBY_DEPTH times its slot count) that the node takes in the same call that records its finished tasks, so a freed slot is refilled without waiting for a scheduling pass. Never for types with TYPE_LIMITS. See docs/strategies.md.',
    true,
  ),
  standbyDepth: intVar(
    'STANDBY_DEPTH',
    'The most refills of standby hints a node may hold: up to this many times its slot count (and its cpu and memory). How many it holds within that is set by its pace (STANDBY_HORIZON_MS).',
    8,
    1,
    64,
  ),
  standbyHorizonMs: intVar(
    'STANDBY_HORIZON_MS',
    "A node holds standby hints for about this much of its work: as many as it ended attempts in this long, at its pace over the last second (from its finishes), at least one slot's worth and at most STANDBY_DEPTH refills; a node not heard from lately holds one refill. Short tasks get deep lists (no wait for a pass between refills), long ones shallow (their hints do not sit while other nodes free up). A task submitted later with a higher priority waits about this long behind hints already written. 0: every node holds STANDBY_DEPTH refills.",
    50,
    0,
    MINUTE,
  ),
  standbyTtlMs: intVar(
    'STANDBY_TTL_MS',
    'How long a standby hint holds; one not taken by then is dropped and its task planned again.',
    2 * SECOND,
    100,
    MINUTE,
  ),
  agingStepMs: intVar(
    'AGING_STEP_MS',
    'Queue aging: one priority point is worth this much waiting time.',
    1000,
    0,
    DAY,
  ),
  defaultStrategy: stringVar(
    'DEFAULT_STRATEGY',
    'Assignment strategy when neither the task nor its type names one.',
    'least-loaded',
  ),
  strategyByType: jsonVar<Record<string, string>>(
    'STRATEGY_BY_TYPE',
    'JSON map of task type → strategy name.',
    {},
    checkStrategyMap,
  ),
  typeLimits: jsonVar<Record<string, TypeLimit>>(
    'TYPE_LIMITS',
    'JSON map of task type → cluster-wide limits {maxRunning, maxStartsPerSecond}, enforced by the leader and re-checked atomically at assignment.',
    {},
    checkTypeLimits,
  ),
  maxDependsOn: intVar('MAX_DEPENDS_ON', "Most task ids in one task's dependsOn.", 32, 1, 1000),
  maxDependents: intVar(
    'MAX_DEPENDENTS',
    'Most tasks that may wait on one task (submits beyond it are refused).',
    1000,
    1,
    100_000,
  ),
  dependencyBatch: intVar(
    'DEPENDENCY_BATCH',
    'Most dependents the leader resolves in one atomic step.',
    500,
    1,
    100_000,
  ),
  scheduleTickMs: intVar(
    'SCHEDULE_TICK_MS',
    'How often the leader looks for due recurring schedules.',
    250,
    10,
    MINUTE,
  ),
  scheduleMisfireGraceMs: intVar(
    'SCHEDULE_MISFIRE_GRACE_MS',
    'A schedule tick later than this is "missed" and follows the schedule\'s missed-tick policy (skip or run-once).',
    5 * SECOND,
    0,
    DAY,
  ),
  maxSchedules: intVar('MAX_SCHEDULES', 'Most recurring schedules.', 1000, 1, 100_000),
  leaseGraceMs: intVar(
    'LEASE_GRACE_MS',
    'Extra time past a task timeout before the dispatcher reclaims its lease.',
    5 * SECOND,
    0,
    HOUR,
  ),

  healthCheckIntervalMs: intVar(
    'HEALTH_CHECK_INTERVAL_MS',
    'How often the leader checks node heartbeats and lease deadlines.',
    1000,
    50,
    MINUTE,
  ),
  nodeSuspectAfterMs: intVar(
    'NODE_SUSPECT_AFTER_MS',
    'Silence after which a node is suspect (gets no new work).',
    3000,
    100,
    HOUR,
  ),
  nodeDeadAfterMs: intVar(
    'NODE_DEAD_AFTER_MS',
    'Silence after which a node is dead and its tasks are re-queued.',
    5000,
    100,
    HOUR,
  ),
  leaderTtlMs: intVar(
    'LEADER_LEASE_TTL_MS',
    'Leader lease time to live; a crashed leader is replaced within this plus one renewal interval. Also how long a silent dispatcher stays listed in GET /cluster.',
    5000,
    200,
    MINUTE,
  ),
  leaderRenewMs: intVar(
    'LEADER_RENEW_INTERVAL_MS',
    'How often the leader renews (and a standby tries) the lease, and every dispatcher heartbeats into the registry.',
    1000,
    50,
    MINUTE,
  ),

  defaultTimeoutMs: intVar(
    'TASK_DEFAULT_TIMEOUT_MS',
    'Task timeout when the submitter gives none.',
    60 * SECOND,
    1,
    7 * DAY,
  ),
  maxTimeoutMs: intVar(
    'TASK_MAX_TIMEOUT_MS',
    'Largest timeout a task may ask for.',
    DAY,
    1,
    7 * DAY,
  ),
  defaultMaxAttempts: intVar(
    'TASK_DEFAULT_MAX_ATTEMPTS',
    'Attempts when the submitter gives none.',
    3,
    1,
    1000,
  ),
  maxAttemptsLimit: intVar(
    'TASK_MAX_ATTEMPTS',
    'Largest maxAttempts a task may ask for.',
    25,
    1,
    1000,
  ),
  retryBackoff: enumVar('RETRY_BACKOFF', 'Default retry backoff.', 'exponential', [
    'fixed',
    'exponential',
  ] as const),
  retryBaseMs: intVar('RETRY_BASE_MS', 'Default first retry delay.', 1000, 0, DAY),
  retryCapMs: intVar('RETRY_CAP_MS', 'Default longest retry delay.', 5 * MINUTE, 0, 7 * DAY),
  retryJitter: numberVar(
    'RETRY_JITTER',
    'Share of each retry delay that is random (0..1).',
    0.5,
    0,
    1,
  ),
  retryByType: jsonVar<Record<string, Partial<RetryPolicy> & { maxAttempts?: number }>>(
    'RETRY_POLICIES',
    'JSON map of task type → retry policy defaults ({backoff, baseMs, capMs, jitter, maxAttempts}).',
    {},
    checkRetryPolicies,
  ),

  maxPayloadBytes: intVar(
    'MAX_PAYLOAD_BYTES',
    'Largest task payload (JSON bytes).',
    256 * 1024,
    2,
    64 * 1024 * 1024,
  ),
  maxResultBytes: intVar(
    'MAX_RESULT_BYTES',
    'Largest stored result (JSON bytes); larger results fail the task.',
    256 * 1024,
    2,
    64 * 1024 * 1024,
  ),
  maxBodyBytes: intVar(
    'MAX_BODY_BYTES',
    'Largest HTTP request body.',
    8 * 1024 * 1024,
    1024,
    512 * 1024 * 1024,
  ),
  maxBusMessageBytes: intVar(
    'MAX_BUS_MESSAGE_BYTES',
    "Largest bus message a process reads; larger ones are dropped unread (and larger assignment announcements are split or left to the workers' Redis reads). Keep it equal on every node and below Redis's pub/sub client output buffer limit (8 MB soft by default).",
    8 * 1024 * 1024,
    64 * 1024,
    512 * 1024 * 1024,
  ),
  maxBatchSize: intVar('MAX_BATCH_SIZE', 'Most tasks in one batch submit.', 1000, 1, 100_000),
  maxQueuedPerType: intVar(
    'MAX_QUEUED_PER_TYPE',
    'Most ready tasks of one type; submits beyond it are refused (429).',
    1_000_000,
    1,
    1_000_000_000,
  ),
  maxTaskTypes: intVar(
    'MAX_TASK_TYPES',
    'Most task types the scheduler reads per tick.',
    1000,
    1,
    100_000,
  ),
  maxLabels: intVar('MAX_LABELS', 'Most labels on a node or in a selector.', 32, 0, 1000),
  // --- HTTP guard rails (rate limits, CORS, JSON depth): docs/limits.md ---
  ...HTTP_GUARD_VARIABLES,

  finishedRetentionMs: intVar(
    'FINISHED_RETENTION_MS',
    'How long succeeded and cancelled tasks are kept.',
    DAY,
    1000,
    365 * DAY,
  ),
  finishedListCap: intVar(
    'FINISHED_LIST_CAP',
    'How many recently finished task ids are listed.',
    10_000,
    1,
    10_000_000,
  ),
  failedCap: intVar(
    'FAILED_CAP',
    'How many failed tasks (dead letters) are kept; the oldest go first.',
    100_000,
    1,
    100_000_000,
  ),
  eventsMaxLen: intVar(
    'EVENTS_STREAM_MAX_LEN',
    'Approximate length bound of the change-event stream behind GET /events (0 = no events are written).',
    10_000,
    0,
    10_000_000,
  ),
  eventsMaxClients: intVar(
    'EVENTS_MAX_CLIENTS',
    'Most GET /events clients one dispatcher serves at once (more get 503).',
    100,
    0,
    100_000,
  ),
  dashboardSampleMs: intVar(
    'DASHBOARD_SAMPLE_MS',
    'How often the dashboard history (queue depth, throughput) is sampled; 60 samples are kept.',
    5 * SECOND,
    100,
    MINUTE,
  ),
  idempotencyTtlMs: intVar(
    'IDEMPOTENCY_TTL_MS',
    'How long an idempotency key maps to its task.',
    DAY,
    1000,
    365 * DAY,
  ),
} satisfies Record<string, ConfigVariable<unknown>>;
