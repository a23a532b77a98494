import type { Redis } from 'ioredis';
import { decodeNodeState, decodeTaskRecord, type TaskState } from '@switchyard/core';
import { forEachKeyLua } from './lua-scan';

/**
 * Everything the consistency checker looks at, read in ONE Lua script so it is a consistent
 * snapshot even while dispatchers and workers change things (every change is one script too).
 * Each data structure is read through one small function below: when the record layout or a
 * key changes, only that function changes.
 */

/** What the checker needs of one task record. */
export interface TaskFacts {
  state: TaskState;
  type: string;
  attempts: number;
  maxAttempts: number;
  leaseSeq: number;
  node?: string;
  incarnation?: number;
  slots: number;
  cpu: number;
  memoryMb: number;
  dependsOn: string[];
  waitingOn?: number;
  idempotencyKey?: string;
  errorCode?: string;
  history: { lease: number; node: string; incarnation: number; outcome?: string }[];
}

export interface NodeFacts {
  incarnation: number;
  status: string;
  usedSlots: number;
  usedCpu: number;
  usedMemoryMb: number;
}

export interface ClusterState {
  tasks: Map<string, TaskFacts>;
  /** Ready queue members per type (`q:<type>`). */
  queues: Map<string, string[]>;
  delayed: string[];
  blocked: string[];
  failed: string[];
  /** The capped list of finished (succeeded, cancelled) ids, newest first. */
  finished: string[];
  /** Lease index per node (`nl:<node>`): task ids leased to it. */
  leases: Map<string, string[]>;
  /** Node states (the `ns` hash), by node id. */
  nodes: Map<string, NodeFacts>;
  /** Nodes with a description hash (`n:<node>`). */
  nodeRecords: string[];
  /** Cluster-wide running bookkeeping of limited types (`tl:<type>`). */
  typeLeases: Map<string, string[]>;
  /** Tasks waiting on a task (`dp:<id>`). */
  dependents: Map<string, string[]>;
  resolving: string[];
  idempotency: Map<string, string>;
}

/** Reply: JSON {keys = {name, type, value}[]}; values by type (string, members, or hash pairs). */
const READ_ALL_LUA = `
local base = KEYS[1]
local out = {}
${forEachKeyLua(`    local name = string.sub(k, #base + 1)
    local ty = redis.call('TYPE', k).ok
    local v
    if ty == 'string' then v = redis.call('GET', k)
    elseif ty == 'set' then v = redis.call('SMEMBERS', k)
    elseif ty == 'zset' then v = redis.call('ZRANGE', k, 0, -1)
    elseif ty == 'list' then v = redis.call('LRANGE', k, 0, -1)
    elseif ty == 'hash' then v = redis.call('HGETALL', k)
    end
    out[#out + 1] = { name, ty, v or false }`)}
return cjson.encode(out)
`;

/** cjson encodes an empty Lua table as {}: an empty list. */
function list(v: unknown): string[] {
  return Array.isArray(v) ? (v as string[]) : [];
}

export function readTask(raw: string): TaskFacts {
  const h = decodeTaskRecord(raw).header;
  return {
    state: h.s,
    type: h.ty,
    attempts: h.a,
    maxAttempts: h.ma,
    leaseSeq: h.l,
    node: h.n,
    incarnation: h.i,
    slots: h.sl,
    cpu: h.cpu ?? 0,
    memoryMb: h.mem ?? 0,
    dependsOn: h.dep ?? [],
    waitingOn: h.bw,
    idempotencyKey: h.ik,
    errorCode: h.e?.c,
    history: (h.h ?? []).map((a) => ({ lease: a.l, node: a.n, incarnation: a.i, outcome: a.o })),
  };
}

export function readNode(text: string): NodeFacts {
  const s = decodeNodeState(text);
  return {
    incarnation: s.incarnation,
    status: s.status,
    usedSlots: s.used.slots,
    usedCpu: s.used.cpu,
    usedMemoryMb: s.used.memoryMb,
  };
}

/** The node-state hash (`ns`: field per node) into `nodes`. */
function placeNodes(state: ClusterState, pairs: string[]): void {
  for (let i = 0; i < pairs.length; i += 2) state.nodes.set(pairs[i], readNode(pairs[i + 1]));
}

/** Sorts one key of the prefix into its place in the state; keys the checker ignores fall through. */
function place(state: ClusterState, name: string, value: unknown): void {
  const [head, ...rest] = name.split(':');
  const tail = rest.join(':');
  if (head === 't' && rest.length > 0) state.tasks.set(tail, readTask(value as string));
  else if (head === 'q') state.queues.set(tail, list(value));
  else if (head === 'nl') state.leases.set(tail, list(value));
  else if (head === 'n' && rest.length > 0) state.nodeRecords.push(tail);
  else if (name === 'ns') placeNodes(state, list(value));
  else if (head === 'tl') state.typeLeases.set(tail, list(value));
  else if (head === 'dp') state.dependents.set(tail, list(value));
  else if (head === 'ik') state.idempotency.set(tail, value as string);
  else if (name === 'delayed') state.delayed = list(value);
  else if (name === 'blocked') state.blocked = list(value);
  else if (name === 'failed') state.failed = list(value);
  else if (name === 'done') state.finished = list(value);
  else if (name === 'resolving') state.resolving = list(value);
}

export async function readClusterState(redis: Redis, base: string): Promise<ClusterState> {
  const keys = JSON.parse((await redis.eval(READ_ALL_LUA, 1, base)) as string) as unknown;
  const state: ClusterState = {
    tasks: new Map(),
    queues: new Map(),
    delayed: [],
    blocked: [],
    failed: [],
    finished: [],
    leases: new Map(),
    nodes: new Map(),
    nodeRecords: [],
    typeLeases: new Map(),
    dependents: new Map(),
    resolving: [],
    idempotency: new Map(),
  };
  for (const [name, , value] of list(keys) as unknown as [string, string, unknown][]) {
    place(state, name, value);
  }
  return state;
}

/** Tasks not yet in a terminal state, and finished tasks whose dependents are not yet settled. */
const COUNT_UNSETTLED_LUA = `
local base = KEYS[1]
local n = redis.call('ZCARD', base .. 'delayed') + redis.call('SCARD', base .. 'blocked')
  + redis.call('SCARD', base .. 'resolving')
${forEachKeyLua(`    local name = string.sub(k, #base + 1)
    if string.sub(name, 1, 2) == 'q:' or string.sub(name, 1, 3) == 'nl:' then
      n = n + redis.call('ZCARD', k)
    end`)}
return n
`;

/** One cheap script: how many tasks are queued, delayed, blocked, leased, or awaiting resolution. */
export async function countUnsettled(redis: Redis, base: string): Promise<number> {
  return Number(await redis.eval(COUNT_UNSETTLED_LUA, 1, base));
}
