import { ConfigError } from '../errors/switchyard.error';

const PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Every Redis key and bus channel Switchyard uses, in one place.
 *
 * Keys carry the prefix as a hash tag (`{sy}:...`), so all keys a script touches live in
 * one Redis Cluster slot. Scripts receive `base` as KEYS[1] and derive the rest with the
 * same spellings (see scripts/*.lua headers).
 */
export class Keyspace {
  readonly base: string;

  constructor(readonly prefix: string) {
    if (!PREFIX_PATTERN.test(prefix)) {
      throw new ConfigError('SWITCHYARD_PREFIX', `must match ${PREFIX_PATTERN}, got "${prefix}"`);
    }
    this.base = `{${prefix}}:`;
  }

  task(id: string): string {
    return `${this.base}t:${id}`;
  }

  /** Ready queue of one task type: sorted set, score = queuedAt − priority × aging step. */
  queue(type: string): string {
    return `${this.base}q:${type}`;
  }

  /** Set of task types whose ready queue may be non-empty. */
  get queueTypes(): string {
    return `${this.base}types`;
  }

  /** Sorted set of delayed task ids by due time. */
  get delayed(): string {
    return `${this.base}delayed`;
  }

  /** Set of blocked task ids (waiting on dependencies). */
  get blocked(): string {
    return `${this.base}blocked`;
  }

  /** Set of tasks that wait for `id` to finish. */
  dependents(id: string): string {
    return `${this.base}dp:${id}`;
  }

  /** Set of finished tasks whose dependents the leader has yet to resolve. */
  get resolving(): string {
    return `${this.base}resolving`;
  }

  /** Sorted set: tasks of a type with a cluster-wide limit that hold a lease → lease deadline. */
  typeLeases(type: string): string {
    return `${this.base}tl:${type}`;
  }

  /** Starts of a limited type within one second (a counter that expires). */
  typeStarts(type: string, second: number): string {
    return `${this.base}ts:${type}:${second}`;
  }

  /** Hash of one recurring schedule: definition, last tick fired, tasks fired. */
  schedule(id: string): string {
    return `${this.base}sc:${id}`;
  }

  /** Sorted set: schedule id → next tick (epoch ms). */
  get scheduleDue(): string {
    return `${this.base}sc:due`;
  }

  /** Marks one (schedule, tick) fired; set-if-absent makes each tick fire once. */
  scheduleTick(id: string, tick: number): string {
    return `${this.base}sf:${id}:${tick}`;
  }

  /** Sorted set of failed task ids by finish time (the dead letters). */
  get failed(): string {
    return `${this.base}failed`;
  }

  /** Capped list of recently finished (succeeded or cancelled) task ids, newest first. */
  get finished(): string {
    return `${this.base}done`;
  }

  idempotency(key: string): string {
    return `${this.base}ik:${key}`;
  }

  /** Hash of one node's description: types, labels, hostname, pid, registered, heartbeat. */
  node(id: string): string {
    return `${this.base}n:${id}`;
  }

  /**
   * Hash: node id → "<incarnation>|<status>|<capacity slots|cpu|memory>|<used slots|cpu|memory>|
   * <last completion>" of every registered node (see node-state.ts): what the assign commit
   * re-checks, in one hash so a pass reads and writes all its nodes with one command each.
   */
  get nodeStates(): string {
    return `${this.base}ns`;
  }

  /**
   * Sorted set: task ids leased to a node → 1e14 − lease deadline (ms), newest lease first
   * (lease_score in scripts/_prelude.lua: a new lease is added at the head of the small set).
   */
  nodeLeases(id: string): string {
    return `${this.base}nl:${id}`;
  }

  /**
   * List: a node's standby hints, newest at the head, each "<task id>|<incarnation>|<deadline>|
   * <leader lease>" (scripts/_standby.lua).
   */
  nodeStandby(id: string): string {
    return `${this.base}sb:${id}`;
  }

  get nodes(): string {
    return `${this.base}nodes`;
  }

  /** Sorted set: node id → last heartbeat. */
  get heartbeats(): string {
    return `${this.base}hb`;
  }

  /** Counter bumped whenever a node joins, leaves or changes status. */
  get nodesVersion(): string {
    return `${this.base}nodes:ver`;
  }

  get leader(): string {
    return `${this.base}leader`;
  }

  get epoch(): string {
    return `${this.base}epoch`;
  }

  /** Sorted set: dispatcher id → last heartbeat (the dispatcher registry's index). */
  get dispatchers(): string {
    return `${this.base}dispatchers`;
  }

  /** Hash describing one dispatcher; expires when it stops heartbeating. */
  dispatcher(id: string): string {
    return `${this.base}d:${id}`;
  }

  /** Hash of cluster-wide counters (submitted, succeeded, failed, ...). */
  get counters(): string {
    return `${this.base}stats`;
  }

  /** Stream of change events (task and node), bounded by EVENTS_STREAM_MAX_LEN; feeds GET /events. */
  get events(): string {
    return `${this.base}events`;
  }

  /** Hit counter of one rate-limit key in its window (and `<key>:b` while it is blocked). */
  rateLimit(key: string): string {
    return `${this.base}rl:${key}`;
  }

  /** A bus channel, namespaced by the prefix (Nest's keyPrefix does not apply to channels). */
  channel(name: string): string {
    return `${this.prefix}:${name}`;
  }
}
