import { TERMINAL_STATES } from './api-types';
import { onlyFlags, flagString, type CliArgs } from './cli-args';
import { RequestError, type DispatcherClient } from './dispatcher-client';
import { clock } from './output';
import type { CommandResult } from './task-commands';

const RECONNECT_MS = 1000;

interface ChangeEvent {
  id: string;
  kind: string;
  subject: string;
  state: string;
  type?: string;
  node?: string;
  at: number;
}

/**
 * Follows GET /events and prints each change; reconnects with Last-Event-ID, so a dropped
 * connection loses nothing still in the stream. With --task it ends when that task ends.
 */
export async function watch(
  client: DispatcherClient,
  args: CliArgs,
  write: (line: string) => void,
  signal: AbortSignal,
): Promise<CommandResult> {
  onlyFlags(args, ['json', 'url', 'task', 'type', 'kind', 'from-start']);
  const query = new URLSearchParams();
  const task = flagString(args, 'task');
  const type = flagString(args, 'type');
  const kind = flagString(args, 'kind');
  if (task !== undefined) query.set('taskId', task);
  if (type !== undefined) query.set('type', type);
  if (kind !== undefined) query.set('kind', kind);
  // a task's whole story: from the start of what the stream still holds
  let lastId: string | undefined =
    task !== undefined || args.flags.has('from-start') ? '0-0' : undefined;
  const asJson = args.flags.has('json');
  const qs = query.size > 0 ? `?${query}` : '';
  while (!signal.aborted) {
    try {
      const res = await client.openEvents(qs, lastId, signal);
      for await (const event of readEvents(res.body as ReadableStream<Uint8Array>)) {
        if (event.id !== undefined) lastId = event.id;
        if (event.event === 'gap') {
          write(
            asJson
              ? JSON.stringify({ gap: true, ...(event.data as object) })
              : 'note: older events were trimmed from the stream',
          );
          continue;
        }
        const e = event.data as ChangeEvent;
        write(
          asJson
            ? JSON.stringify(e)
            : `${clock(e.at)}  ${e.kind.padEnd(4)}  ${e.subject}  ${e.state}${e.type ? `  ${e.type}` : ''}${e.node ? `  on ${e.node}` : ''}`,
        );
        if (task !== undefined && e.subject === task && TERMINAL_STATES.includes(e.state))
          return { out: '', code: e.state === 'succeeded' ? 0 : 3 };
      }
    } catch (err) {
      if (signal.aborted) break;
      if (err instanceof RequestError && err.status !== null && err.status < 500) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
  }
  return { out: '', code: 0 };
}

async function* readEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<{ id?: string; event: string; data: unknown }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let id: string | undefined;
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) yield { id, event, data: JSON.parse(data.join('\n')) as unknown };
    }
  }
}
