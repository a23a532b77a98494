/** Why a request failed: the dispatcher's answer, or no answer at all. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 30_000;

/** The dispatcher's HTTP API as the CLI uses it (JSON in, JSON out, errors as RequestError). */
export class DispatcherClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string | undefined,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  /** Opens GET /events; the caller reads the body stream. */
  async openEvents(
    query: string,
    lastEventId: string | undefined,
    signal: AbortSignal,
  ): Promise<Response> {
    const res = await this.fetch(`/events${query}`, {
      headers: {
        accept: 'text/event-stream',
        ...this.auth(),
        ...(lastEventId !== undefined && { 'last-event-id': lastEventId }),
      },
      signal,
    });
    if (res.status !== 200) throw await this.failure(res);
    return res;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetch(path, {
      method,
      headers: {
        accept: 'application/json',
        ...this.auth(),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) throw await this.failure(res);
    const text = await res.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  private auth(): Record<string, string> {
    return this.apiKey !== undefined && this.apiKey !== ''
      ? { authorization: `Bearer ${this.apiKey}` }
      : {};
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, init);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new RequestError(
        `cannot reach the dispatcher at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
        null,
      );
    }
  }

  private async failure(res: Response): Promise<RequestError> {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { message?: unknown };
      if (body?.message !== undefined)
        message = `${res.status}: ${[body.message].flat().join('; ')}`;
    } catch {
      /* not JSON */
    }
    return new RequestError(message, res.status);
  }
}
