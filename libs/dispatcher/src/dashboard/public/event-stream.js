// Server-sent events over fetch: EventSource cannot send an Authorization header. Reconnects
// after `retry` ms with Last-Event-ID, as EventSource does; waits for a key after a 401.
/* global sessionKey, TextDecoder */
/* exported openEventStream */
'use strict';

/** Lines of one event held at most (a stream that never ends an event is dropped and resumed). */
const EVENT_STREAM_MAX_BUFFER = 1 << 20;

function openEventStream(path, handlers) {
  let lastId = '';
  let retryMs = 2000;
  let waitingForKey = false;

  function dispatch(block) {
    let event = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') lastId = value;
      else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
    }
    if (data.length > 0 && handlers[event]) handlers[event]({ data: data.join('\n'), id: lastId });
  }

  async function connect() {
    const headers = { accept: 'text/event-stream', ...sessionKey.headers() };
    if (lastId) headers['last-event-id'] = lastId;
    const res = await fetch(path, { headers });
    if (res.status === 401) {
      sessionKey.refused();
      waitingForKey = true;
      return;
    }
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
      if (buffer.length > EVENT_STREAM_MAX_BUFFER) {
        await reader.cancel();
        return;
      }
    }
  }

  function run() {
    connect()
      .catch((err) => handlers.error && handlers.error(err))
      .finally(() => {
        if (!waitingForKey) setTimeout(run, retryMs);
      });
  }

  sessionKey.onChange(() => {
    if (!waitingForKey) return;
    waitingForKey = false;
    run();
  });
  run();
}
