/** Something that knows whether its bus connections are up (SwitchyardRedisServer). */
export interface BusConnection {
  readonly connected: boolean;
}

/**
 * Whether this process hears the bus. The bus server is created in main.ts, outside the
 * module graph; main attaches it here so health checks can see it.
 */
export class BusLink {
  private connection: BusConnection | undefined;

  attach(connection: BusConnection): void {
    this.connection = connection;
  }

  get attached(): boolean {
    return this.connection !== undefined;
  }

  get connected(): boolean {
    return this.connection?.connected === true;
  }
}
