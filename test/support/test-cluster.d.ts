import { Redis } from 'ioredis';
import { AppProcess } from './app-process';
/** Short timings so failure handling shows within a test's patience. */
export declare const FAST_TIMINGS: Record<string, string>;
export interface WorkerSpec {
    id?: string;
    slots?: number;
    labels?: string;
    types?: string;
    env?: Record<string, string>;
}
export interface HttpAnswer<T = any> {
    status: number;
    body: T;
    headers: Headers;
}
/**
 * Real dispatcher and worker processes on a private key prefix (and optionally a private
 * Redis). Stops every process by pid and deletes every key of its prefix.
 */
export declare class TestCluster {
    readonly prefix: string;
    readonly redisUrl: string;
    readonly env: Record<string, string>;
    readonly dispatchers: AppProcess[];
    readonly workers: Map<string, AppProcess>;
    readonly redis: Redis;
    private workerCount;
    private constructor();
    static start(opts?: {
        workers?: number | WorkerSpec[];
        dispatchers?: number;
        env?: Record<string, string>;
        redisUrl?: string;
    }): Promise<TestCluster>;
    /** The first dispatcher that runs and is not paused: where `request` goes. */
    get dispatcher(): AppProcess;
    private baseEnv;
    startDispatcher(env?: Record<string, string>): Promise<AppProcess>;
    /** Starts a worker and waits until the registry lists it alive. */
    startWorker(spec?: WorkerSpec): Promise<AppProcess>;
    waitForNode(id: string, predicate: (node: any) => boolean, timeoutMs?: number): Promise<any>;
    request<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer<T>>;
    /** A request to one particular process (a given dispatcher, or a worker's HTTP port). */
    requestTo<T = any>(target: AppProcess, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer<T>>;
    get<T = any>(path: string): Promise<HttpAnswer<T>>;
    post<T = any>(path: string, body?: unknown): Promise<HttpAnswer<T>>;
    /** Waits until every task is in one of `states`; returns their views. */
    waitForTasks(ids: readonly string[], states?: readonly string[], timeoutMs?: number): Promise<any[]>;
    /** Keys of this cluster's prefix (all share the hash tag). */
    key(suffix: string): string;
    stop(): Promise<void>;
}
