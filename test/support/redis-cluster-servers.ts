import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './free-port';
import { OwnRedis } from './redis-server';
import { waitFor } from './wait-for';

const run = promisify(execFile);

/**
 * A private Redis Cluster of `masters` redis-server processes (no replicas), made with
 * `redis-cli --cluster create`. Each node has its own port, cluster bus port and temp dir;
 * all are stopped by pid.
 */
export class OwnRedisCluster {
  private constructor(readonly nodes: OwnRedis[]) {}

  static async start(masters = 3): Promise<OwnRedisCluster> {
    const nodes: OwnRedis[] = [];
    const cluster = new OwnRedisCluster(nodes);
    try {
      for (let i = 0; i < masters; i++) {
        // the bus port defaults to port + 10000, which may not exist for a high free port
        const busPort = await freePort();
        nodes.push(
          await OwnRedis.start({
            appendOnly: true,
            extraArgs: [
              '--cluster-enabled',
              'yes',
              '--cluster-config-file',
              'nodes.conf',
              '--cluster-port',
              String(busPort),
            ],
          }),
        );
      }
      await run('redis-cli', [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]);
      await waitFor(
        () => Promise.all(nodes.map((n) => cluster.info(n.port))),
        (infos) =>
          infos.every(
            (i) =>
              /cluster_state:ok/.test(i) && new RegExp(`cluster_known_nodes:${masters}`).test(i),
          ),
        { timeoutMs: 30_000, what: 'the cluster to be ok on every node' },
      );
    } catch (err) {
      await cluster.destroy();
      throw err;
    }
    return cluster;
  }

  /** "host:port,host:port" for REDIS_CLUSTER_NODES. */
  get seeds(): string {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  }

  /** The port of the master that owns `key`'s slot. */
  async ownerOf(key: string): Promise<number> {
    const client = new Redis(this.nodes[0].port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    try {
      const slot = Number(await client.call('CLUSTER', 'KEYSLOT', key));
      const ranges = (await client.call('CLUSTER', 'SLOTS')) as [
        number,
        number,
        [string, number],
      ][];
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (range === undefined) throw new Error(`no node owns slot ${slot}`);
      return Number(range[2][1]);
    } finally {
      client.disconnect();
    }
  }

  private async info(port: number): Promise<string> {
    const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await client.connect();
      return String(await client.call('CLUSTER', 'INFO'));
    } finally {
      client.disconnect();
    }
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.destroy()));
  }
}
