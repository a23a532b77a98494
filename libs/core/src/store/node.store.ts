import type { Redis } from 'ioredis';
import { NodeNotFoundError } from '../errors/switchyard.error';
import type { NodeRegistration, NodeStatus, NodeView } from '../node/node.model';
import type { Keyspace } from './keyspace';
import { LuaScripts } from './lua-scripts';
import { decodeNodeState, type NodeState } from './node-state';
import { inStore } from './redis-errors';

export interface NodeStoreSettings {
  agingStepMs: number;
  failedCap: number;
  nodeSuspectAfterMs: number;
  nodeDeadAfterMs: number;
}

/** Most nodes one health check examines (the rest wait for the next check). */
const MAX_NODES_PER_CHECK = 1000;

export interface DeadNode {
  id: string;
  incarnation: number;
  /** Its tasks put back in their queues, and those that failed because their attempts ran out. */
  requeued: number;
  failed: number;
}

export interface HealthCheckOutcome {
  suspects: string[];
  dead: DeadNode[];
}

/** A node from its state entry (`stateText`) and its description hash (`f`). */
function toNodeView(
  id: string,
  stateText: string,
  f: Record<string, string>,
  inFlight: number,
): NodeView {
  const state = decodeNodeState(stateText);
  const num = (key: string): number => Number(f[key] ?? 0);
  return {
    id,
    incarnation: state.incarnation,
    status: state.status,
    types: JSON.parse(f.ty ?? '[]') as string[],
    capacity: state.capacity,
    used: state.used,
    labels: JSON.parse(f.lb ?? '{}') as Record<string, string>,
    hostname: f.hn ?? '',
    pid: num('pid'),
    registeredAt: num('ra'),
    lastHeartbeatAt: num('hb'),
    ...(state.lastCompletionAt !== undefined && { lastCompletionAt: state.lastCompletionAt }),
    inFlight,
  };
}

/** The node registry in Redis: registration, heartbeats, reads. */
export class NodeStore {
  private readonly scripts: LuaScripts;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    private readonly settings: NodeStoreSettings,
  ) {
    this.scripts = new LuaScripts(redis, keys.base);
  }

  /** Registers a new incarnation; returns it. Leases of an earlier incarnation are taken back. */
  async register(reg: NodeRegistration, now = Date.now()): Promise<number> {
    const [incarnation] = await inStore(
      this.scripts.run<number[]>('registerNode', [
        reg.id,
        now,
        this.settings.agingStepMs,
        this.settings.failedCap,
        JSON.stringify(reg.types),
        reg.capacity.slots,
        reg.capacity.cpu,
        reg.capacity.memoryMb,
        JSON.stringify(reg.labels),
        reg.hostname,
        reg.pid,
      ]),
    );
    return incarnation;
  }

  /** Returns the status after the beat, or 'stale' when this incarnation is no longer registered. */
  async heartbeat(
    id: string,
    incarnation: number,
    now = Date.now(),
  ): Promise<NodeStatus | 'stale'> {
    return inStore(this.scripts.run<NodeStatus | 'stale'>('heartbeat', [id, incarnation, now]));
  }

  /**
   * The leader's health check (one script, fenced by the leader lease): silent nodes become
   * suspect, then dead with their tasks re-queued. `watchingSince` is when this leader began
   * to watch: silence before it is not held against a node. Throws NotLeaderError.
   */
  async checkHealth(
    leaseValue: string,
    watchingSince: number,
    now = Date.now(),
  ): Promise<HealthCheckOutcome> {
    const s = this.settings;
    const [suspects, deadList] = await inStore(
      this.scripts.run<[string[], (string | number)[]]>('checkNodes', [
        leaseValue,
        now,
        s.nodeSuspectAfterMs,
        s.nodeDeadAfterMs,
        watchingSince,
        s.agingStepMs,
        s.failedCap,
        MAX_NODES_PER_CHECK,
      ]),
    );
    const dead: DeadNode[] = [];
    for (let i = 0; i < deadList.length; i += 4) {
      dead.push({
        id: String(deadList[i]),
        incarnation: Number(deadList[i + 1]),
        requeued: Number(deadList[i + 2]),
        failed: Number(deadList[i + 3]),
      });
    }
    return { suspects, dead };
  }

  /** Marks an incarnation draining (no new work). Returns false when it is not registered. */
  async drain(id: string, incarnation: number): Promise<boolean> {
    return (await inStore(this.scripts.run<string>('drainNode', [id, incarnation]))) === 'draining';
  }

  /**
   * A node leaves: its unfinished tasks go back to their queues without counting an attempt,
   * and it leaves the registry. Returns null when that incarnation is no longer registered.
   */
  async leave(
    id: string,
    incarnation: number,
    now = Date.now(),
  ): Promise<{ requeued: number; failed: number } | null> {
    const reply = await inStore(
      this.scripts.run<number[] | 'stale'>('leaveNode', [
        id,
        incarnation,
        now,
        this.settings.agingStepMs,
        this.settings.failedCap,
      ]),
    );
    if (reply === 'stale') return null;
    return { requeued: Number(reply[0]), failed: Number(reply[1]) };
  }

  async ids(): Promise<string[]> {
    return inStore(this.redis.smembers(this.keys.nodes));
  }

  async list(): Promise<NodeView[]> {
    const ids = (await this.ids()).sort();
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    pipeline.hmget(this.keys.nodeStates, ...ids);
    for (const id of ids) {
      pipeline.hgetall(this.keys.node(id));
      pipeline.zcard(this.keys.nodeLeases(id));
    }
    const replies = (await inStore(pipeline.exec())) ?? [];
    if (replies[0][0]) throw replies[0][0];
    const states = replies[0][1] as (string | null)[];
    const views: NodeView[] = [];
    ids.forEach((id, i) => {
      const state = states[i];
      const fields = replies[1 + i * 2][1] as Record<string, string>;
      if (state !== null && fields)
        views.push(toNodeView(id, state, fields, Number(replies[2 + i * 2][1])));
    });
    return views;
  }

  async get(id: string): Promise<NodeView> {
    const [state, fields, inFlight] = await inStore(
      Promise.all([
        this.redis.hget(this.keys.nodeStates, id),
        this.redis.hgetall(this.keys.node(id)),
        this.redis.zcard(this.keys.nodeLeases(id)),
      ]),
    );
    if (state === null) throw new NodeNotFoundError(id);
    return toNodeView(id, state, fields, inFlight);
  }

  /**
   * Every registered node's incarnation, status, capacity and usage, with ONE read (the node-state
   * hash): what a scheduler needs to refresh its picture when the registry version has not moved.
   */
  async states(): Promise<Map<string, NodeState>> {
    const raw = await inStore(this.redis.hgetall(this.keys.nodeStates));
    const states = new Map<string, NodeState>();
    for (const [id, text] of Object.entries(raw)) states.set(id, decodeNodeState(text));
    return states;
  }

  async version(): Promise<number> {
    return Number((await inStore(this.redis.get(this.keys.nodesVersion))) ?? 0);
  }
}
