import {
  InvalidInputError,
  LimitExceededError,
  type SubmitOutcome,
  type TaskSpec,
} from '@switchyard/core';

/** Stores tasks in one atomic call (TaskSubmissionStore.submit: all or none), payloads as the JSON given. */
export type StoreTasks = (
  specs: readonly TaskSpec[],
  payloadJsons: readonly string[],
) => Promise<SubmitOutcome[]>;

interface Waiting {
  spec: TaskSpec;
  payloadJson: string;
  resolve(outcome: SubmitOutcome): void;
  reject(err: unknown): void;
}

/**
 * Single submissions that arrive in the same turn of the event loop (concurrent `POST /tasks`)
 * are stored with one submit script call instead of one each: under load most of a single
 * submission's cost was the call (the ioredis command, the socket writes, the script's fixed
 * cost in Redis), not the task. Each caller still hears only after its task is committed.
 *
 * A group is all or none, so a script refusal (a full queue, a bad dependency: nothing was
 * written) sends each member again on its own, and each hears its own answer, as it would
 * have alone. Any other failure (Redis unreachable, a lost reply) is every member's answer:
 * it is not retried, since the group may have been written.
 */
export class SubmitCoalescer {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(
    private readonly store: StoreTasks,
    private readonly maxGroup: number,
  ) {}

  /** `payloadJson`: the spec's payload as JSON text (what the record will hold). */
  submit(spec: TaskSpec, payloadJson: string): Promise<SubmitOutcome> {
    return new Promise<SubmitOutcome>((resolve, reject) => {
      this.waiting.push({ spec, payloadJson, resolve, reject });
      if (this.waiting.length >= this.maxGroup) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        // after this turn's I/O callbacks, so the requests read in this turn join the group
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    const group = this.waiting;
    if (group.length === 0) return;
    this.waiting = [];
    void this.commit(group);
  }

  private async commit(group: Waiting[]): Promise<void> {
    let outcomes: SubmitOutcome[];
    try {
      outcomes = await this.store(
        group.map((w) => w.spec),
        group.map((w) => w.payloadJson),
      );
    } catch (err) {
      if (group.length > 1 && isRefusal(err)) {
        for (const member of group) void this.commit([member]);
      } else {
        for (const member of group) member.reject(err);
      }
      return;
    }
    for (let i = 0; i < group.length; i++) group[i].resolve(outcomes[i]);
  }
}

/** The submit script's refusals: it checks before it writes, so nothing of the group was stored. */
function isRefusal(err: unknown): boolean {
  return err instanceof LimitExceededError || err instanceof InvalidInputError;
}
