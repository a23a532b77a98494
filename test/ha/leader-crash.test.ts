import { FAST_TIMINGS } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';
import { attemptHistoryViolations } from './attempt-history';
import {
  clusterAsSeenBy,
  reportTakeover,
  submitSleeps,
  succeededCount,
  taskReader,
  useTwoDispatcherCluster,
  leaderAndStandby,
  waitForLeader,
} from './leadership-probe';

const TTL_MS = Number(FAST_TIMINGS.LEADER_LEASE_TTL_MS);
const RENEW_MS = Number(FAST_TIMINGS.LEADER_RENEW_INTERVAL_MS);
/** Hooks and tests start and stop real processes on a shared, slow machine. */
const PATIENCE_MS = 180_000;

describe('a leader that dies (kill -9) mid-run', () => {
  const clusterOf = useTwoDispatcherCluster({ workers: [{ slots: 4 }, { slots: 4 }] }, PATIENCE_MS);

  it(
    'lists both dispatchers in GET /cluster, with exactly one leading',
    async () => {
      const cluster = clusterOf();
      const [first, second] = cluster.dispatchers;
      const view = await waitFor(
        () => clusterAsSeenBy(cluster, second),
        (v) =>
          v.dispatchers.length === 2 &&
          v.dispatchers.every((d: any) => d.httpPort > 0) &&
          v.leader !== null,
        { what: 'both dispatchers listed with their ports, and a leader' },
      );
      const ports = view.dispatchers.map((d: any) => d.httpPort).sort();
      expect(ports).toEqual([first.port, second.port].sort());
      expect(view.dispatchers.map((d: any) => d.pid).sort()).toEqual(
        [first.pid, second.pid].sort(),
      );
      expect(view.dispatchers.filter((d: any) => d.leader).map((d: any) => d.id)).toEqual([
        view.leader,
      ]);
      expect(view.epoch).toBeGreaterThanOrEqual(1);
      expect(view.lease.expiresInMs).toBeGreaterThan(0);
      expect(view.lease.expiresInMs).toBeLessThanOrEqual(TTL_MS);
      expect(Date.parse(view.lease.expiresAt)).toBeGreaterThan(Date.now() - 1000);
      for (const d of view.dispatchers) {
        expect(d).toMatchObject({
          host: expect.any(String),
          startedAt: expect.any(Number),
          lastSeenAt: expect.any(Number),
        });
      }
      // every dispatcher answers the same about who leads: it reads Redis, not its own belief
      expect((await clusterAsSeenBy(cluster, first)).leader).toBe(view.leader);
    },
    PATIENCE_MS,
  );

  it(
    'hands leadership to the standby within TTL + one renewal, and every one of 1,000 tasks succeeds',
    async () => {
      const cluster = clusterOf();
      const { leader, standby, standbyId, epoch } = await leaderAndStandby(cluster);

      const taskIds = await submitSleeps(cluster, 1000, 25);
      await waitFor(
        () => succeededCount(cluster),
        (n) => n >= 150,
        { timeoutMs: 60_000, what: '150 tasks done' },
      );
      const doneAtKill = await succeededCount(cluster);
      const leaseReadAt = Date.now();
      const leaseLeftMs = await cluster.redis.pttl(cluster.key('leader'));
      const killedAt = Date.now();
      await leader.stop('SIGKILL');

      const { at, view } = await waitForLeader(cluster, standby, standbyId);
      const takeoverMs = at - killedAt;
      reportTakeover(
        'kill -9',
        takeoverMs,
        `lease had ${leaseLeftMs} ms left; bound TTL + renewal = ${TTL_MS + RENEW_MS} ms`,
      );
      // never before the dead leader's lease ran out: two leaders at once would be split brain
      expect(at).toBeGreaterThanOrEqual(leaseReadAt + leaseLeftMs - 1);
      expect(view.epoch).toBe(epoch + 1);
      expect(doneAtKill).toBeLessThan(1000);

      const views = await waitFor(
        () => taskReader(cluster)(taskIds),
        (vs) => vs.every((v) => v.state === 'succeeded' || v.state === 'failed'),
        { timeoutMs: 120_000, intervalMs: 250, what: '1000 tasks to finish' },
      );
      expect(views.filter((v) => v.state !== 'succeeded').map((v) => v.id)).toEqual([]);
      expect(attemptHistoryViolations(views)).toEqual([]);
      // the standby did scheduling work: tasks were assigned after the kill
      expect(views.some((v) => v.history[0].assignedAt > killedAt)).toBe(true);
    },
    PATIENCE_MS,
  );

  it(
    'drops the dead dispatcher from GET /cluster once its registry entry expires',
    async () => {
      const cluster = clusterOf();
      const standby = cluster.dispatchers.find((d) => d.running)!;
      const view = await waitFor(
        () => clusterAsSeenBy(cluster, standby),
        (v) => v.dispatchers.length === 1,
        { what: 'only the survivor listed' },
      );
      expect(view.dispatchers[0]).toMatchObject({
        id: view.self,
        leader: true,
        self: true,
        pid: standby.pid,
      });
    },
    PATIENCE_MS,
  );
});
