// Runs inside a piscina worker thread (see IsolatedPool): loads a handler's module, calls its
// export, and returns the outcome as plain data, because an error loses its class (and so its
// `retryable: false`) when it crosses threads. Imports nothing: a thread stays light.

export interface IsolatedTask {
  module: string;
  export: string;
  payload: unknown;
}

export type IsolatedOutcome =
  { ok: true; value: unknown } | { ok: false; message: string; retryable: boolean; code?: string };

export default async function runIsolated(task: IsolatedTask): Promise<IsolatedOutcome> {
  try {
    const mod = require(task.module) as Record<string, unknown>;
    const fn = mod[task.export];
    if (typeof fn !== 'function') {
      return {
        ok: false,
        message: `${task.module} has no function export "${task.export}"`,
        retryable: false,
      };
    }
    return { ok: true, value: await (fn as (payload: unknown) => unknown)(task.payload) };
  } catch (err) {
    const e = err as { message?: unknown; retryable?: unknown; code?: unknown };
    return {
      ok: false,
      message: typeof e?.message === 'string' ? e.message : String(err),
      retryable: e?.retryable !== false,
      ...(typeof e?.code === 'string' && { code: e.code }),
    };
  }
}
