import type { AssignedTask } from '../messaging/messages';
import type { RetryPolicy } from '../task/task.model';
import type { LuaScripts, ScriptArg } from './lua-scripts';
import { inStore } from './redis-errors';
import { decodeRefill } from './standby-hints';
import type {
  FinishOutcome,
  FinishReport,
  ProgressReport,
  StartReport,
  TaskStoreSettings,
} from './task-store.types';

const policyTexts = new WeakMap<RetryPolicy, string>();

/**
 * finish.lua's policy argument up to its random part ("backoff,base,cap,jitter,"): callers
 * reuse a policy object per type, so its text is made once, not four number conversions per task.
 */
function policyText(p: RetryPolicy): string {
  let text = policyTexts.get(p);
  if (text === undefined) {
    text = `${p.backoff},${p.baseMs},${p.capMs},${p.jitter},`;
    policyTexts.set(p, text);
  }
  return text;
}

/**
 * A worker's reports on the tasks it holds, each checked against the task's lease: started,
 * progress, finished (and with a finish, the standby tasks it takes in the same call).
 */
export class TaskReportStore {
  constructor(
    private readonly scripts: LuaScripts,
    private readonly settings: TaskStoreSettings,
  ) {}

  async start(
    nodeId: string,
    incarnation: number,
    reports: readonly StartReport[],
  ): Promise<string[]> {
    const args: ScriptArg[] = [nodeId, incarnation, reports.length];
    for (const r of reports) args.push(r.taskId, r.lease, r.startedAt);
    return inStore(this.scripts.run<string[]>('start', args));
  }

  /** Latest progress of running tasks under their leases; stale ones are ignored ('stale'). */
  async progress(
    nodeId: string,
    incarnation: number,
    reports: readonly ProgressReport[],
  ): Promise<string[]> {
    const args: ScriptArg[] = [nodeId, incarnation, reports.length];
    for (const r of reports) args.push(r.taskId, r.lease, r.percent, r.dataJson ?? '');
    return inStore(this.scripts.run<string[]>('progress', args));
  }

  /**
   * Records outcomes. `announceOn`: the tasks.finished channel; the script publishes the
   * announcement itself (outcomes and freed capacity as committed), in the same call.
   */
  async finish(
    nodeId: string,
    incarnation: number,
    reports: readonly FinishReport[],
    now = Date.now(),
    announceOn = '',
  ): Promise<FinishOutcome[]> {
    const reply = await this.finishAndRefill(nodeId, incarnation, reports, now, announceOn, false);
    return reply.outcomes;
  }

  /**
   * finish() that then (with `takeHints`) leases the node's standby hints that still hold, in the
   * same call, and returns those tasks (as a node.assigned message carries them) for the worker
   * to run now.
   */
  async finishAndRefill(
    nodeId: string,
    incarnation: number,
    reports: readonly FinishReport[],
    now = Date.now(),
    announceOn = '',
    takeHints = true,
  ): Promise<{ outcomes: FinishOutcome[]; assigned: AssignedTask[] }> {
    const args = this.finishArgs(nodeId, incarnation, reports, now, announceOn);
    if (takeHints) args.push(this.settings.leaseGraceMs);
    const reply = await inStore(this.scripts.run<(string | string[])[]>('finish', args));
    return {
      outcomes: reply.slice(0, reports.length) as FinishOutcome[],
      assigned: takeHints ? decodeRefill(reply[reports.length]) : [],
    };
  }

  private finishArgs(
    nodeId: string,
    incarnation: number,
    reports: readonly FinishReport[],
    now: number,
    announceOn: string,
  ): ScriptArg[] {
    const s = this.settings;
    const args: ScriptArg[] = [
      now,
      nodeId,
      incarnation,
      s.agingStepMs,
      s.finishedRetentionMs,
      s.finishedListCap,
      s.failedCap,
      reports.length,
    ];
    for (const r of reports) {
      const body =
        r.error === undefined
          ? (r.resultJson ?? 'null')
          : JSON.stringify({ m: r.error.message, c: r.error.code, r: r.error.retryable });
      args.push(
        r.taskId,
        r.lease,
        r.error === undefined ? 'ok' : 'error',
        r.startedAt,
        body,
        // read by the script only to delay a retry
        r.error === undefined ? '' : policyText(r.retry) + String(r.random),
      );
    }
    args.push(announceOn);
    return args;
  }
}
