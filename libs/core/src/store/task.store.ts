import type { Redis } from 'ioredis';
import type { Keyspace } from './keyspace';
import { LuaScripts } from './lua-scripts';
import { TaskControlStore } from './task-control.store';
import { TaskReadStore } from './task-read.store';
import { TaskReportStore } from './task-report.store';
import { TaskSchedulingStore } from './task-scheduling.store';
import type { TaskStoreSettings } from './task-store.types';
import { TaskSubmissionStore } from './task-submission.store';

/**
 * All task reads and writes, each state change one Lua script (see scripts/), as one object
 * made of the parts by job: for code that uses them all (the Redis client, tests, bench tools).
 * The apps inject only the part they use (store.module.ts provides each one). The methods are
 * the parts' own, bound once here, so a call through TaskStore goes straight to the part.
 */
export class TaskStore {
  readonly submission: TaskSubmissionStore;
  readonly scheduling: TaskSchedulingStore;
  readonly reports: TaskReportStore;
  readonly control: TaskControlStore;
  readonly reads: TaskReadStore;

  readonly submit: TaskSubmissionStore['submit'];

  readonly readHeads: TaskSchedulingStore['readHeads'];
  readonly resolveDependents: TaskSchedulingStore['resolveDependents'];
  readonly typeLoad: TaskSchedulingStore['typeLoad'];
  readonly assign: TaskSchedulingStore['assign'];
  readonly assignAndHint: TaskSchedulingStore['assignAndHint'];
  readonly reclaimExpired: TaskSchedulingStore['reclaimExpired'];

  readonly start: TaskReportStore['start'];
  readonly progress: TaskReportStore['progress'];
  readonly finish: TaskReportStore['finish'];
  readonly finishAndRefill: TaskReportStore['finishAndRefill'];

  readonly cancel: TaskControlStore['cancel'];
  readonly retry: TaskControlStore['retry'];

  readonly get: TaskReadStore['get'];
  readonly getMany: TaskReadStore['getMany'];
  readonly getStates: TaskReadStore['getStates'];
  readonly list: TaskReadStore['list'];
  readonly queueCounts: TaskReadStore['queueCounts'];
  readonly queueHeads: TaskReadStore['queueHeads'];
  readonly leasedTo: TaskReadStore['leasedTo'];

  /**
   * `submitRedis`: a connection of its own for submits under SUBMIT_DURABILITY, because WAIT
   * blocks the connection it runs on and must not hold up heartbeats or the leader lease.
   */
  constructor(redis: Redis, keys: Keyspace, settings: TaskStoreSettings, submitRedis = redis) {
    const scripts = new LuaScripts(redis, keys.base);
    const submission = (this.submission = new TaskSubmissionStore(submitRedis, keys, settings));
    this.submit = submission.submit.bind(submission);

    const scheduling = (this.scheduling = new TaskSchedulingStore(scripts, settings));
    this.readHeads = scheduling.readHeads.bind(scheduling);
    this.resolveDependents = scheduling.resolveDependents.bind(scheduling);
    this.typeLoad = scheduling.typeLoad.bind(scheduling);
    this.assign = scheduling.assign.bind(scheduling);
    this.assignAndHint = scheduling.assignAndHint.bind(scheduling);
    this.reclaimExpired = scheduling.reclaimExpired.bind(scheduling);

    const reports = (this.reports = new TaskReportStore(scripts, settings));
    this.start = reports.start.bind(reports);
    this.progress = reports.progress.bind(reports);
    this.finish = reports.finish.bind(reports);
    this.finishAndRefill = reports.finishAndRefill.bind(reports);

    const control = (this.control = new TaskControlStore(scripts, settings));
    this.cancel = control.cancel.bind(control);
    this.retry = control.retry.bind(control);

    const reads = (this.reads = new TaskReadStore(redis, keys, scripts));
    this.get = reads.get.bind(reads);
    this.getMany = reads.getMany.bind(reads);
    this.getStates = reads.getStates.bind(reads);
    this.list = reads.list.bind(reads);
    this.queueCounts = reads.queueCounts.bind(reads);
    this.queueHeads = reads.queueHeads.bind(reads);
    this.leasedTo = reads.leasedTo.bind(reads);
  }
}
