import * as fs from 'node:fs';
import type { Submitted, TaskView } from './api-types';
import { flagInt, flagString, onlyFlags, UsageError, type CliArgs } from './cli-args';
import type { DispatcherClient } from './dispatcher-client';
import { clock, json, table } from './output';
import { summarize, waitForTasks } from './task-waiter';

/** What a command prints and its exit code (0 ok, 3 = some task did not succeed). */
export interface CommandResult {
  out: string;
  code: number;
}

const MAX_BATCH = 1000;
const SUBMIT_FLAGS = [
  'json',
  'url',
  'wait',
  'timeout',
  'count',
  'file',
  'priority',
  'delay-ms',
  'max-attempts',
  'timeout-ms',
  'idempotency-key',
  'strategy',
];

function parsePayload(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new UsageError(`the payload must be JSON, got ${raw.slice(0, 40)}`);
  }
}

function specsFrom(args: CliArgs): Record<string, unknown>[] {
  const file = flagString(args, 'file');
  if (file !== undefined) {
    const text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
    const trimmed = text.trim();
    const specs = trimmed.startsWith('[')
      ? (JSON.parse(trimmed) as unknown[])
      : trimmed
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as unknown);
    if (!specs.every((s) => typeof s === 'object' && s !== null))
      throw new UsageError('--file must hold task objects (a JSON array or JSON lines)');
    return specs as Record<string, unknown>[];
  }
  const [type, payloadText] = args.positional;
  if (type === undefined) throw new UsageError('submit needs a task type (or --file)');
  const spec: Record<string, unknown> = { type };
  const payload = parsePayload(payloadText);
  if (payload !== undefined) spec.payload = payload;
  const priority = flagInt(args, 'priority', -1000, 1000);
  const delayMs = flagInt(args, 'delay-ms', 0, Number.MAX_SAFE_INTEGER);
  const maxAttempts = flagInt(args, 'max-attempts', 1, 1000);
  const timeoutMs = flagInt(args, 'timeout-ms', 1, Number.MAX_SAFE_INTEGER);
  const key = flagString(args, 'idempotency-key');
  const strategy = flagString(args, 'strategy');
  Object.assign(spec, {
    ...(priority !== undefined && { priority }),
    ...(delayMs !== undefined && { delayMs }),
    ...(maxAttempts !== undefined && { maxAttempts }),
    ...(timeoutMs !== undefined && { timeoutMs }),
    ...(key !== undefined && { idempotencyKey: key }),
    ...(strategy !== undefined && { strategy }),
  });
  const count = flagInt(args, 'count', 1, 1_000_000) ?? 1;
  if (count > 1 && key !== undefined)
    throw new UsageError('--count and --idempotency-key do not go together');
  return Array.from({ length: count }, () => ({ ...spec }));
}

export async function submit(client: DispatcherClient, args: CliArgs): Promise<CommandResult> {
  onlyFlags(args, SUBMIT_FLAGS);
  const specs = specsFrom(args);
  const submitted: Submitted[] = [];
  for (let i = 0; i < specs.length; i += MAX_BATCH) {
    const chunk = specs.slice(i, i + MAX_BATCH);
    if (chunk.length === 1 && specs.length === 1) {
      const one = await client.post<Submitted & { type: string }>('/tasks', chunk[0]);
      submitted.push({ id: one.id, state: one.state, created: one.created ?? false });
    } else {
      submitted.push(
        ...(await client.post<{ tasks: Submitted[] }>('/tasks/batch', { tasks: chunk })).tasks,
      );
    }
  }
  if (args.flags.has('wait')) {
    const timeoutMs = flagInt(args, 'timeout', 1, 86_400) ?? 600;
    const views = await waitForTasks(
      client,
      submitted.map((s) => s.id),
      timeoutMs * 1000,
    );
    const allOk = views.every((v) => v.state === 'succeeded');
    if (args.flags.has('json'))
      return { out: json(views.length === 1 ? views[0] : views), code: allOk ? 0 : 3 };
    const lines =
      views.length === 1
        ? [describeTask(views[0])]
        : [
            `${views.length} task(s): ${summarize(views)}`,
            ...views
              .filter((v) => v.state !== 'succeeded')
              .map((v) => `${v.id} ${v.state}${v.error ? `: ${v.error.message}` : ''}`),
          ];
    return { out: lines.join('\n'), code: allOk ? 0 : 3 };
  }
  if (args.flags.has('json'))
    return { out: json(submitted.length === 1 ? submitted[0] : submitted), code: 0 };
  if (submitted.length === 1) {
    const s = submitted[0];
    return {
      out: `${s.created ? 'submitted' : 'already submitted'} ${s.id} (${s.state})`,
      code: 0,
    };
  }
  return {
    out: `submitted ${submitted.length} task(s): ${submitted[0].id} … ${submitted[submitted.length - 1].id}`,
    code: 0,
  };
}

export function describeTask(t: TaskView): string {
  const lines = [
    `${t.id}  ${t.type}  ${t.state}  attempts ${t.attempts}/${t.maxAttempts}  priority ${t.priority}`,
    ...(t.waitingReason ? [`waiting: ${t.waitingReason}`] : []),
    ...(t.error ? [`error: ${t.error.message}${t.error.code ? ` (${t.error.code})` : ''}`] : []),
    ...(t.result !== undefined ? [`result: ${JSON.stringify(t.result)}`] : []),
  ];
  if (t.history.length > 0) {
    lines.push(
      table(
        ['#', 'node', 'assigned', 'started', 'ended', 'outcome', 'error'],
        t.history.map((a, i) => [
          i + 1,
          a.node,
          clock(a.assignedAt),
          clock(a.startedAt),
          clock(a.endedAt),
          a.outcome ?? 'running',
          a.error ?? '',
        ]),
      ),
    );
  }
  return lines.join('\n');
}

export async function get(client: DispatcherClient, args: CliArgs): Promise<CommandResult> {
  onlyFlags(args, ['json', 'url']);
  const id = requireId(args, 'get');
  const task = await client.get<TaskView>(`/tasks/${encodeURIComponent(id)}`);
  return { out: args.flags.has('json') ? json(task) : describeTask(task), code: 0 };
}

export async function list(client: DispatcherClient, args: CliArgs): Promise<CommandResult> {
  onlyFlags(args, ['json', 'url', 'state', 'type', 'limit', 'cursor']);
  const query = new URLSearchParams({ state: flagString(args, 'state') ?? 'failed' });
  const type = flagString(args, 'type');
  const cursor = flagString(args, 'cursor');
  const limit = flagInt(args, 'limit', 1, 1000);
  if (type !== undefined) query.set('type', type);
  if (cursor !== undefined) query.set('cursor', cursor);
  if (limit !== undefined) query.set('limit', String(limit));
  const page = await client.get<{ tasks: TaskView[]; nextCursor?: string | null }>(
    `/tasks?${query}`,
  );
  if (args.flags.has('json')) return { out: json(page), code: 0 };
  const rows = page.tasks.map((t) => [
    t.id,
    t.type,
    t.state,
    `${t.attempts}/${t.maxAttempts}`,
    clock(t.createdAt),
    t.error?.message ?? t.waitingReason ?? '',
  ]);
  const more = page.nextCursor ? `\nmore: --cursor ${page.nextCursor}` : '';
  return {
    out:
      page.tasks.length === 0
        ? `no ${query.get('state')} tasks`
        : table(['id', 'type', 'state', 'attempts', 'created', 'note'], rows) + more,
    code: 0,
  };
}

export async function control(
  client: DispatcherClient,
  args: CliArgs,
  action: 'cancel' | 'retry',
): Promise<CommandResult> {
  onlyFlags(args, ['json', 'url']);
  const id = requireId(args, action);
  const answer = await client.post<Record<string, unknown>>(
    `/tasks/${encodeURIComponent(id)}/${action}`,
  );
  if (args.flags.has('json')) return { out: json(answer), code: 0 };
  const state = typeof answer?.state === 'string' ? ` (now ${answer.state})` : '';
  return { out: `${action === 'cancel' ? 'cancelled' : 're-queued'} ${id}${state}`, code: 0 };
}

function requireId(args: CliArgs, command: string): string {
  const [id] = args.positional;
  if (id === undefined) throw new UsageError(`${command} needs a task id`);
  return id;
}
