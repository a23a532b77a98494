/** A TCP port that was free a moment ago (the OS picks it). */
export declare function freePort(): Promise<number>;
