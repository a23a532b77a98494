export declare const SHARED_REDIS_URL: string;
/**
 * A private redis-server for tests that stop, restart or partition Redis. Never touches the
 * shared one: its own port, its own temp dir, stopped by its own pid.
 */
export declare class OwnRedis {
    readonly port: number;
    private readonly args;
    private readonly password?;
    private proc;
    readonly dir: string;
    private constructor();
    /** `password`: the server's requirepass (give it in extraArgs too), used for the readiness ping. */
    static start(opts?: {
        appendOnly?: boolean;
        extraArgs?: string[];
        password?: string;
    }): Promise<OwnRedis>;
    get url(): string;
    get pid(): number | undefined;
    startProcess(): Promise<void>;
    /** Stops the server (SIGTERM by pid) and waits for its exit. */
    stop(): Promise<void>;
    /** Kills the server abruptly (SIGKILL by pid), as a crash would, and waits for its exit. */
    kill(): Promise<void>;
    restart(): Promise<void>;
    destroy(): Promise<void>;
    private ping;
}
