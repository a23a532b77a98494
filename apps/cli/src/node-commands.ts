import type { NodeView } from './api-types';
import { onlyFlags, UsageError, type CliArgs } from './cli-args';
import type { DispatcherClient } from './dispatcher-client';
import { ago, json, table } from './output';
import type { CommandResult } from './task-commands';

export async function nodes(client: DispatcherClient, args: CliArgs): Promise<CommandResult> {
  onlyFlags(args, ['json', 'url']);
  const { nodes: list } = await client.get<{ nodes: NodeView[] }>('/nodes');
  if (args.flags.has('json')) return { out: json(list), code: 0 };
  if (list.length === 0) return { out: 'no nodes registered', code: 0 };
  const rows = list.map((n) => [
    n.id,
    n.status,
    `${n.used.slots}/${n.capacity.slots}`,
    `${n.used.cpu}/${n.capacity.cpu}m`,
    n.inFlight,
    ago(n.lastHeartbeatAt),
    n.types.join(','),
  ]);
  return {
    out: table(['node', 'status', 'slots', 'cpu', 'in flight', 'heartbeat', 'types'], rows),
    code: 0,
  };
}

export async function drain(client: DispatcherClient, args: CliArgs): Promise<CommandResult> {
  onlyFlags(args, ['json', 'url']);
  const [id] = args.positional;
  if (id === undefined) throw new UsageError('drain needs a node id');
  const answer = await client.post<unknown>(`/nodes/${encodeURIComponent(id)}/drain`);
  return {
    out: args.flags.has('json') ? json(answer ?? { node: id, draining: true }) : `draining ${id}`,
    code: 0,
  };
}
