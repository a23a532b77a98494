import { waitFor } from './wait-for';

export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

/** A minimal server-sent-events reader over fetch, keeping every event it got. */
export class SseClient {
  readonly events: SseEvent[] = [];
  status = 0;
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  private constructor() {}

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    const res = await fetch(url, {
      headers: { accept: 'text/event-stream', ...headers },
      signal: client.abort.signal,
    });
    client.status = res.status;
    if (res.status !== 200 || res.body === null) {
      await res.text().catch(() => undefined);
      return client;
    }
    client.done = client.read(res.body).catch(() => undefined);
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = { event: 'message', data: undefined };
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') event.id = value;
          else if (field === 'event') event.event = value;
          else if (field === 'data') data.push(value);
        }
        if (data.length === 0) continue;
        try {
          event.data = JSON.parse(data.join('\n'));
        } catch {
          event.data = data.join('\n');
        }
        this.events.push(event);
      }
    }
  }

  of(kind: string): SseEvent[] {
    return this.events.filter((e) => e.event === kind);
  }

  async waitFor(
    predicate: (events: SseEvent[]) => boolean,
    what: string,
    timeoutMs = 30_000,
  ): Promise<SseEvent[]> {
    return waitFor(() => this.events, predicate, { timeoutMs, what });
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
