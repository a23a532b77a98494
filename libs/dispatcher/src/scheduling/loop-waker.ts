import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  decodeTaskHeader,
  SWITCHYARD_CONFIG,
  type QueueHead,
  type SubmittedHead,
  type SwitchyardConfig,
  type TasksFinishedMessage,
} from '@switchyard/core';
import { AnnouncedHeads } from './announced-heads';
import { AssignmentLoop } from './assignment-loop';
import { ClusterState } from './cluster-state';
import { StandbyPlanner } from './standby-planner';

/**
 * How long the wake of a finish that leaves the cluster idle waits: longer than a closed-loop
 * caller takes to read its result and submit again (about half a millisecond on a quiet
 * machine), short against the fallback tick (SCHEDULER_TICK_MS).
 */
export const IDLE_FINISH_WAKE_MS = 2;

/**
 * Wakes the AssignmentLoop for what the bus announces. A submit or a node change wakes it at
 * once, and so does a finish while anything else runs or waits. A finish after which no task
 * runs, no standby hint is held and no attempt is retried has nothing to place: its pass would
 * read empty queues, on Redis and on the cores, just while the caller reads its result and
 * submits again. What such a pass does for the finish is resolve its dependents: a finish whose
 * message counts the tasks with dependents waiting wakes a pass at once when some wait and none
 * when none do. An older worker's finish does not count them: its wake waits
 * IDLE_FINISH_WAKE_MS, and a submit or node change meanwhile takes its place (one pass for both).
 */
@Injectable()
export class LoopWaker implements OnApplicationShutdown {
  private deferred: NodeJS.Timeout | undefined;
  private readonly announced = new AnnouncedHeads();
  /**
   * Without standby hints an empty book says nothing about the queue; with TYPE_LIMITS a finish
   * frees its type's budget for queued tasks whatever runs elsewhere.
   */
  private readonly mayDefer: boolean;

  constructor(
    private readonly loop: AssignmentLoop,
    private readonly cluster: ClusterState,
    private readonly standby: StandbyPlanner,
    @Inject(SWITCHYARD_CONFIG) config: SwitchyardConfig,
  ) {
    this.mayDefer = config.standbyAssignments && Object.keys(config.typeLimits).length === 0;
  }

  /** Work was announced: a pass now (it also stands for a deferred one). */
  now(): void {
    this.cancel();
    this.loop.wake();
  }

  /**
   * A submit, heard on the bus or told by this dispatcher's own TaskSubmission: a pass now. When
   * it names the one task it queued, the pass may decide that task without reading the queues
   * (AssignmentLoop.wake); it still stands for a deferred finish's pass, since its commit reports
   * the dependents that pass would have resolved. The second announcement of a task (own submit
   * and bus message) asks for nothing more (AnnouncedHeads).
   */
  submitted(head: SubmittedHead | undefined): void {
    if (head !== undefined && this.announced.repeated(head.id)) return;
    this.cancel();
    this.loop.wake(head === undefined ? undefined : queueHeadOf(head));
  }

  /**
   * A finish (its capacity already given back to the cluster state). One that leaves the
   * cluster idle needs a pass only for dependents: when its message counts them (`resolving`),
   * a pass now if some wait, none if none do; an older worker's message does not, and its pass
   * is deferred.
   */
  finished(data: TasksFinishedMessage): void {
    if (!this.idleAfter(data) || (data.resolving ?? 0) > 0) return this.now();
    if (data.resolving === 0) return;
    this.deferred ??= setTimeout(this.wakeDeferred, IDLE_FINISH_WAKE_MS);
  }

  onApplicationShutdown(): void {
    this.cancel();
  }

  private readonly wakeDeferred = (): void => {
    this.deferred = undefined;
    this.loop.wake();
  };

  private cancel(): void {
    if (this.deferred === undefined) return;
    clearTimeout(this.deferred);
    this.deferred = undefined;
  }

  /** Nothing runs, waits as a hint or comes back for a retry after this finish. */
  private idleAfter(data: TasksFinishedMessage): boolean {
    if (!this.mayDefer || data.standby !== undefined || data.ended !== data.done.length)
      return false;
    if (this.standby.held().size > 0) return false;
    for (const node of this.cluster.peek().nodes.values()) if (node.used.slots > 0) return false;
    return true;
  }
}

/** The announced task as read-heads would give it; undefined when its header does not decode. */
function queueHeadOf(head: SubmittedHead): QueueHead | undefined {
  try {
    return { id: head.id, type: head.type, header: decodeTaskHeader(head.header) };
  } catch {
    return undefined; // the pass reads the queue instead
  }
}
