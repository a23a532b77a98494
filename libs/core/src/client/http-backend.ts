import { SwitchyardError } from '../errors/switchyard.error';
import { isTerminal } from '../task/task-state';
import type { SubmitOutcome, TaskView } from '../task/task.model';
import type { ClientBackend, ControlOutcome, WaitOptions } from './client-backend';
import type { TaskInput } from './task-input';
import { WaitTimeoutError } from './redis-backend';

export interface HttpClientOptions {
  /** The dispatcher's base URL, e.g. `http://dispatcher:3000`. */
  url: string;
  /** Sent as `Authorization: Bearer <key>` (the dispatcher's API keys). */
  apiKey?: string;
  /** Per request (default 10 s). */
  requestTimeoutMs?: number;
}

/** A non-2xx answer of the dispatcher, with its status and its error code and message. */
export class DispatcherHttpError extends SwitchyardError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A failed read that a later poll may not meet again: no answer at all (connection refused or
 * reset, the request timeout) or the dispatcher saying it is busy (429) or cannot reach Redis
 * (5xx). Any other answer (404, 401, 403, 400) is the dispatcher's word and ends the wait.
 */
function isPassingFailure(err: unknown): boolean {
  return !(err instanceof DispatcherHttpError) || err.status === 429 || err.status >= 500;
}

/** Tasks read at once while polling (bounds the requests in flight). */
const POLL_CONCURRENCY = 16;

/**
 * The same client over the dispatcher's HTTP API, for callers that cannot reach Redis (the
 * dispatcher checks and limits everything as for any HTTP caller). `waitFor` polls
 * `GET /tasks/:id` for the tasks still pending, and rides out a dispatcher that is away or
 * busy for a while: only its timeout ends the wait then, naming the last failed read.
 */
export class HttpBackend implements ClientBackend {
  private readonly base: string;

  constructor(private readonly options: HttpClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  async submitBatch(inputs: readonly TaskInput[]): Promise<SubmitOutcome[]> {
    if (inputs.length === 0) return [];
    const body = await this.request<{ tasks: SubmitOutcome[] }>('POST', '/tasks/batch', {
      tasks: inputs,
    });
    return body.tasks.map((t) => ({ id: t.id, state: t.state, created: t.created }));
  }

  get(id: string): Promise<TaskView> {
    return this.request<TaskView>('GET', `/tasks/${encodeURIComponent(id)}`);
  }

  cancel(id: string): Promise<ControlOutcome> {
    return this.request<ControlOutcome>('POST', `/tasks/${encodeURIComponent(id)}/cancel`);
  }

  retry(id: string): Promise<ControlOutcome> {
    return this.request<ControlOutcome>('POST', `/tasks/${encodeURIComponent(id)}/retry`);
  }

  async waitFor(ids: readonly string[], opts: WaitOptions): Promise<TaskView[]> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const pollMs = opts.pollIntervalMs ?? 250;
    const deadline = Date.now() + timeoutMs;
    const views = new Map<string, TaskView>();
    let pending = [...new Set(ids)];
    let lastReadError: unknown;
    // a read that got no answer, or a "busy"/"unavailable" one, is read again at the next poll
    const readOrRetry = (id: string): Promise<TaskView | undefined> =>
      this.get(id).catch((err: unknown) => {
        if (!isPassingFailure(err)) throw err;
        lastReadError = err;
        return undefined;
      });
    for (;;) {
      for (let i = 0; i < pending.length; i += POLL_CONCURRENCY) {
        const read = await Promise.all(pending.slice(i, i + POLL_CONCURRENCY).map(readOrRetry));
        for (const view of read) {
          if (view !== undefined && isTerminal(view.state)) views.set(view.id, view);
        }
      }
      pending = pending.filter((id) => !views.has(id));
      if (pending.length === 0) return ids.map((id) => views.get(id) as TaskView);
      if (Date.now() + pollMs > deadline) {
        throw new WaitTimeoutError(pending.length, timeoutMs, lastReadError);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const err = (parsed ?? {}) as { error?: unknown; message?: unknown };
      throw new DispatcherHttpError(
        res.status,
        typeof err.error === 'string' ? err.error : `http_${res.status}`,
        `${method} ${path}: ${res.status} ${typeof err.message === 'string' ? err.message : text.slice(0, 200)}`,
      );
    }
    return parsed as T;
  }
}
