export declare const DISPATCHER_MAIN: string;
export declare const WORKER_MAIN: string;
/** A real dispatcher or worker process (built output), with its logs and its HTTP port. */
export declare class AppProcess {
    readonly name: string;
    private readonly proc;
    readonly logs: string[];
    port: number;
    /** Stopped with SIGSTOP and not yet continued: it will not answer. */
    paused: boolean;
    private exitCode;
    private readonly exited;
    private constructor();
    /** Starts `main` with `env` and waits until it listens. */
    static start(name: string, main: string, env: Record<string, string>, timeoutMs?: number): Promise<AppProcess>;
    get pid(): number;
    get url(): string;
    get running(): boolean;
    signal(sig: NodeJS.Signals): void;
    /** Sends `sig` and waits for the exit; SIGKILL if it outlives `timeoutMs`. Returns the exit code. */
    stop(sig?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
    waitExit(): Promise<number | null>;
    logsMatching(pattern: RegExp): string[];
}
