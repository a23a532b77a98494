import type { Redis } from 'ioredis';
import { NodeNotFoundError } from '../errors/switchyard.error';
import type { NodeRegistration, NodeStatus, NodeView } from '../node/node.model';
import type { Keyspace } from './keyspace';
import { LuaScripts } from './lua-scripts';
import { inStore } from './redis-errors';

export interface NodeStoreSettings {
  agingStepMs: number;
  failedCap: number;
}

function toNodeView(id: string, f: Record<string, string>, inFlight: number): NodeView {
  const num = (key: string): number => Number(f[key] ?? 0);
  return {
    id,
    incarnation: num('inc'),
    status: f.st as NodeStatus,
    types: JSON.parse(f.ty ?? '[]') as string[],
    capacity: { slots: num('cs'), cpu: num('cc'), memoryMb: num('cm') },
    used: { slots: num('us'), cpu: num('uc'), memoryMb: num('um') },
    labels: JSON.parse(f.lb ?? '{}') as Record<string, string>,
    hostname: f.hn ?? '',
    pid: num('pid'),
    registeredAt: num('ra'),
    lastHeartbeatAt: num('hb'),
    ...(f.lc !== undefined && { lastCompletionAt: num('lc') }),
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
  async heartbeat(id: string, incarnation: number, now = Date.now()): Promise<NodeStatus | 'stale'> {
    return inStore(this.scripts.run<NodeStatus | 'stale'>('heartbeat', [id, incarnation, now]));
  }

  async ids(): Promise<string[]> {
    return inStore(this.redis.smembers(this.keys.nodes));
  }

  async list(): Promise<NodeView[]> {
    const ids = (await this.ids()).sort();
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) {
      pipeline.hgetall(this.keys.node(id));
      pipeline.zcard(this.keys.nodeLeases(id));
    }
    const replies = (await inStore(pipeline.exec())) ?? [];
    const views: NodeView[] = [];
    ids.forEach((id, i) => {
      const fields = replies[i * 2][1] as Record<string, string>;
      if (fields && fields.inc !== undefined) views.push(toNodeView(id, fields, Number(replies[i * 2 + 1][1])));
    });
    return views;
  }

  async get(id: string): Promise<NodeView> {
    const [fields, inFlight] = await inStore(
      Promise.all([this.redis.hgetall(this.keys.node(id)), this.redis.zcard(this.keys.nodeLeases(id))]),
    );
    if (fields.inc === undefined) throw new NodeNotFoundError(id);
    return toNodeView(id, fields, inFlight);
  }

  async version(): Promise<number> {
    return Number((await inStore(this.redis.get(this.keys.nodesVersion))) ?? 0);
  }
}
