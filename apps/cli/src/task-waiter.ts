import { TERMINAL_STATES, type TaskView } from './api-types';
import type { DispatcherClient } from './dispatcher-client';
import { ProgressBar } from './progress-bar';

const POLL_MS = 300;
const CONCURRENCY = 16;
/** A progress bar only when waiting on at least this many tasks. */
const BAR_FROM = 2;

/**
 * Waits until every task is terminal, reading each unfinished one (at most CONCURRENCY
 * requests at once), and draws a progress bar on stderr for many tasks. Returns the final views.
 */
export async function waitForTasks(
  client: DispatcherClient,
  ids: readonly string[],
  timeoutMs: number,
): Promise<TaskView[]> {
  const views = new Map<string, TaskView>();
  const bar = ids.length >= BAR_FROM ? new ProgressBar(ids.length) : undefined;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = ids.filter((id) => !TERMINAL_STATES.includes(views.get(id)?.state ?? ''));
    for (let i = 0; i < pending.length; i += CONCURRENCY) {
      const chunk = pending.slice(i, i + CONCURRENCY);
      const read = await Promise.all(chunk.map((id) => client.get<TaskView>(`/tasks/${id}`)));
      read.forEach((v) => views.set(v.id, v));
    }
    const done = ids.filter((id) => TERMINAL_STATES.includes(views.get(id)?.state ?? '')).length;
    bar?.update(done, summarize([...views.values()]));
    if (done === ids.length) return ids.map((id) => views.get(id) as TaskView);
    if (Date.now() > deadline) {
      throw new Error(
        `gave up after ${timeoutMs} ms: ${ids.length - done} of ${ids.length} task(s) not finished`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** "succeeded 40 failed 2 running 3" */
export function summarize(views: readonly TaskView[]): string {
  const counts = new Map<string, number>();
  for (const v of views) counts.set(v.state, (counts.get(v.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${state} ${n}`).join(' ');
}
