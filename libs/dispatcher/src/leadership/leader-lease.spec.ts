import { Logger } from '@nestjs/common';
import { loadConfig, type BusPublisher, type LeaderLeaseStore } from '@switchyard/core';
import type { DispatcherIdentity } from '../cluster/dispatcher-identity';
import { LeaderLease } from './leader-lease';

const TTL = 2000;
const RENEW = 300;

/** A lease store whose next answer the test sets. */
class FakeStore {
  answer: () => Promise<string | null> = async () => null;
  acquired = 0;
  released: string[] = [];
  acquire(): Promise<string | null> {
    this.acquired++;
    return this.answer();
  }
  async release(value: string): Promise<boolean> {
    this.released.push(value);
    return true;
  }
}

describe('LeaderLease', () => {
  let store: FakeStore;
  let published: unknown[];
  let lease: LeaderLease;
  let events: string[];

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    store = new FakeStore();
    published = [];
    const bus = {
      leaderReleased: async (m: unknown) => void published.push(m),
    } as unknown as BusPublisher;
    const config = loadConfig({
      LEADER_LEASE_TTL_MS: String(TTL),
      LEADER_RENEW_INTERVAL_MS: String(RENEW),
    });
    lease = new LeaderLease(
      store as unknown as LeaderLeaseStore,
      bus,
      { id: 'me' } as DispatcherIdentity,
      config,
    );
    events = [];
    lease.onElected((e) => events.push(`elected ${e}`));
    lease.onDemoted((e) => events.push(`demoted ${e}`));
  });

  afterEach(async () => {
    await lease.beforeApplicationShutdown();
    jest.useRealTimers();
  });

  it('announces a term once, however often it is renewed', async () => {
    store.answer = async () => '1:me';
    await lease.onApplicationBootstrap();
    await lease.renew();
    await lease.renew();
    expect(events).toEqual(['elected 1']);
    expect(lease.isLeader).toBe(true);
    expect(lease.leaseValue).toBe('1:me');
    expect(lease.epoch).toBe(1);
  });

  it('steps down when the store says another dispatcher holds the lease', async () => {
    store.answer = async () => '1:me';
    await lease.onApplicationBootstrap();
    store.answer = async () => null;
    await lease.renew();
    expect(events).toEqual(['elected 1', 'demoted 1']);
    expect(lease.leaseValue).toBeNull();
  });

  it('ends the old term before announcing a new epoch of its own', async () => {
    store.answer = async () => '1:me';
    await lease.onApplicationBootstrap();
    store.answer = async () => '2:me';
    await lease.renew();
    expect(events).toEqual(['elected 1', 'demoted 1', 'elected 2']);
  });

  it('stops leading one renewal interval before the TTL when renewals fail, without waiting for an answer', async () => {
    store.answer = async () => '1:me';
    await lease.renew();
    store.answer = () => new Promise(() => undefined); // Redis stopped answering
    jest.advanceTimersByTime(TTL - RENEW - 1);
    expect(lease.isLeader).toBe(true);
    jest.advanceTimersByTime(2);
    expect(lease.isLeader).toBe(false);
    expect(events).toEqual(['elected 1', 'demoted 1']);
  });

  it('coalesces renewals asked for during one into a single extra round', async () => {
    let answer!: (v: string | null) => void;
    store.answer = () => new Promise((resolve) => (answer = resolve));
    const first = lease.renew();
    void lease.renew();
    void lease.renew();
    answer(null);
    await jest.advanceTimersByTimeAsync(0);
    answer('1:me');
    await first;
    expect(store.acquired).toBe(2);
    expect(events).toEqual(['elected 1']);
  });

  it('releases the lease on shutdown, announces it, and never renews again', async () => {
    store.answer = async () => '3:me';
    await lease.onApplicationBootstrap();
    await lease.beforeApplicationShutdown();
    expect(store.released).toEqual(['3:me']);
    expect(published).toEqual([{ epoch: 3 }]);
    expect(events).toEqual(['elected 3', 'demoted 3']);
    const calls = store.acquired;
    await lease.renew();
    lease.released(3);
    jest.advanceTimersByTime(RENEW * 3);
    expect(store.acquired).toBe(calls);
    expect(lease.isLeader).toBe(false);
  });

  it('tries at once when the bus says the leader let go', async () => {
    await lease.onApplicationBootstrap();
    expect(events).toEqual([]);
    store.answer = async () => '4:me';
    lease.released(3);
    await jest.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['elected 4']);
  });
});
