import { Inject, Injectable } from '@nestjs/common';
import {
  BUS_DROPS_METRIC,
  BusDrops,
  LeaderLeaseStore,
  NODE_STATUSES,
  NodeStore,
  StatsStore,
  SWITCHYARD_CONFIG,
  type SwitchyardConfig,
} from '@switchyard/core';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { LeaderLease } from '../leadership/leader-lease';
import { NodePace } from '../scheduling/node-pace';
import { StandbyBook } from '../scheduling/standby-book';
import { waitingReasonCode, WAITING_REASONS } from '../scheduling/waiting-reason';

/** Queue headers read per scrape for the by-priority breakdown, over all types. */
const PRIORITY_SAMPLE_TOTAL = 10_000;
const PRIORITY_SAMPLE_PER_TYPE = 1_000;
const CLUSTER_COUNTERS = ['submitted', 'succeeded', 'failed', 'retried', 'cancelled'] as const;

/**
 * The dispatcher's Prometheus metrics. Process-local counters (this dispatcher's submissions)
 * count as things happen; cluster-wide numbers (the script-kept counters, queues, nodes,
 * leader) are read from Redis at scrape time, so every dispatcher reports the same truth and
 * a scrape costs a bounded number of reads.
 */
@Injectable()
export class DispatcherMetrics {
  readonly registry = new Registry();
  private readonly submitted = new Counter({
    name: 'switchyard_tasks_submitted_total',
    help: 'Tasks created by submissions to this dispatcher, by type.',
    labelNames: ['type'],
    registers: [this.registry],
  });
  private readonly cluster = new Counter({
    name: 'switchyard_cluster_tasks_total',
    help: 'Cluster-wide task events kept in Redis by the atomic scripts (submitted, succeeded, failed, retried, cancelled).',
    labelNames: ['event'],
    registers: [this.registry],
  });
  private readonly depth = new Gauge({
    name: 'switchyard_queue_depth',
    help: 'Ready (queued) tasks by type.',
    labelNames: ['type'],
    registers: [this.registry],
  });
  private readonly depthByPriority = new Gauge({
    name: 'switchyard_queue_depth_by_priority',
    help: `Ready tasks by type and priority, counted over the first ${PRIORITY_SAMPLE_PER_TYPE} of each queue (priority="unsampled" holds the rest).`,
    labelNames: ['type', 'priority'],
    registers: [this.registry],
  });
  private readonly waiting = new Gauge({
    name: 'switchyard_tasks_waiting',
    help: 'Tasks not running yet, by reason (delayed, blocked, or why ready tasks wait).',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly deadLetters = new Gauge({
    name: 'switchyard_dead_letters',
    help: 'Failed tasks kept (the dead letters, bounded by FAILED_CAP).',
    registers: [this.registry],
  });
  private readonly nodes = new Gauge({
    name: 'switchyard_nodes',
    help: 'Registered worker nodes by status.',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly slotsUsed = new Gauge({
    name: 'switchyard_node_slots_used',
    help: 'Slots in use per node.',
    labelNames: ['node'],
    registers: [this.registry],
  });
  private readonly slotsTotal = new Gauge({
    name: 'switchyard_node_slots',
    help: 'Slot capacity per node.',
    labelNames: ['node'],
    registers: [this.registry],
  });
  private readonly pace = new Gauge({
    name: 'switchyard_node_pace',
    help: "Attempts a node ended per second over about the last second, as this dispatcher heard its finishes; the leader sizes the node's standby hints by it (STANDBY_HORIZON_MS).",
    labelNames: ['node'],
    registers: [this.registry],
  });
  private readonly hintSlots = new Gauge({
    name: 'switchyard_standby_hint_slots',
    help: "Slots' worth of standby hints the leader holds for a node (0 on a dispatcher that does not lead).",
    labelNames: ['node'],
    registers: [this.registry],
  });
  private readonly utilisation = new Gauge({
    name: 'switchyard_slot_utilization_ratio',
    help: 'Slots in use over slot capacity of the nodes that take work (alive).',
    registers: [this.registry],
  });
  private readonly epoch = new Gauge({
    name: 'switchyard_leader_epoch',
    help: 'Epoch of the current leader lease (0 = no leader).',
    registers: [this.registry],
  });
  private readonly isLeader = new Gauge({
    name: 'switchyard_dispatcher_is_leader',
    help: '1 when this dispatcher holds the leader lease.',
    registers: [this.registry],
  });
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly stats: StatsStore,
    private readonly nodeStore: NodeStore,
    private readonly leaderStore: LeaderLeaseStore,
    private readonly lease: LeaderLease,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
    drops: BusDrops,
    private readonly nodePace: NodePace,
    private readonly hints: StandbyBook,
  ) {
    collectDefaultMetrics({ register: this.registry });
    new Counter({
      ...BUS_DROPS_METRIC,
      labelNames: [...BUS_DROPS_METRIC.labelNames],
      registers: [this.registry],
      collect() {
        drops.copyTo(this);
      },
    });
  }

  tasksSubmitted(type: string, count = 1): void {
    this.submitted.inc({ type }, count);
  }

  /** The exposition text, after one read of the cluster-wide numbers (concurrent scrapes share it). */
  async render(): Promise<string> {
    this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
    await this.refreshing;
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async refresh(): Promise<void> {
    const [counters, depths, sizes, nodes, leader] = await Promise.all([
      this.stats.counters(),
      this.stats.queueDepths(this.config.maxTaskTypes),
      this.stats.indexSizes(),
      this.nodeStore.list(),
      this.leaderStore.current(),
    ]);
    this.cluster.reset();
    for (const event of CLUSTER_COUNTERS) this.cluster.inc({ event }, counters[event] ?? 0);

    this.depth.reset();
    this.depthByPriority.reset();
    this.waiting.reset();
    for (const reason of Object.keys(WAITING_REASONS)) this.waiting.set({ reason }, 0);
    this.waiting.set({ reason: 'delayed' }, sizes.delayed);
    this.waiting.set({ reason: 'blocked' }, sizes.blocked);
    const perType = Math.max(
      1,
      Math.min(
        PRIORITY_SAMPLE_PER_TYPE,
        Math.floor(PRIORITY_SAMPLE_TOTAL / Math.max(1, depths.size)),
      ),
    );
    const priorities = await this.stats.queuePriorities([...depths.keys()], perType);
    for (const [type, depth] of depths) {
      this.depth.set({ type }, depth);
      const reason = waitingReasonCode(type, { slots: 1, cpu: 0, memoryMb: 0, labels: {} }, nodes);
      this.waiting.inc({ reason }, depth);
      let sampled = 0;
      for (const [priority, count] of priorities.get(type) ?? []) {
        this.depthByPriority.set({ type, priority: String(priority) }, count);
        sampled += count;
      }
      if (depth > sampled)
        this.depthByPriority.set({ type, priority: 'unsampled' }, depth - sampled);
    }
    this.deadLetters.set(sizes.failed);

    this.nodes.reset();
    this.slotsUsed.reset();
    this.slotsTotal.reset();
    this.pace.reset();
    this.hintSlots.reset();
    const now = Date.now();
    const held = this.hints.heldByNode();
    for (const status of NODE_STATUSES)
      this.nodes.set({ status }, nodes.filter((n) => n.status === status).length);
    let used = 0;
    let total = 0;
    for (const n of nodes) {
      if (n.status === 'dead') continue;
      this.slotsUsed.set({ node: n.id }, n.used.slots);
      this.slotsTotal.set({ node: n.id }, n.capacity.slots);
      this.pace.set({ node: n.id }, this.nodePace.perSecond(n.id, now) ?? 0);
      this.hintSlots.set({ node: n.id }, held.get(n.id)?.slots ?? 0);
      if (n.status === 'alive') {
        used += n.used.slots;
        total += n.capacity.slots;
      }
    }
    this.utilisation.set(total === 0 ? 0 : used / total);
    this.epoch.set(leader?.epoch ?? 0);
    this.isLeader.set(this.lease.isLeader ? 1 : 0);
  }
}
