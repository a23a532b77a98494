/**
 * Polls `read` until `predicate` holds, or fails after `timeoutMs` with the last value seen.
 * Tests wait for conditions, never for fixed times.
 */
export declare function waitFor<T>(read: () => Promise<T> | T, predicate: (value: T) => boolean, { timeoutMs, intervalMs, what }?: {
    timeoutMs?: number;
    intervalMs?: number;
    what?: string;
}): Promise<T>;
