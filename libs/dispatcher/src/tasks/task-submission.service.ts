import { Inject, Injectable } from '@nestjs/common';
import {
  ChannelNaming,
  InvalidInputError,
  LimitExceededError,
  exceedsUtf8Bytes,
  MAX_DELAY_MS,
  maxAttemptsFor,
  Patterns,
  SWITCHYARD_CONFIG,
  TaskSubmissionStore,
  type SubmitOutcome,
  type SwitchyardConfig,
  type TaskSpec,
} from '@switchyard/core';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';
import { LoopWaker } from '../scheduling/loop-waker';
import { StrategyRegistry } from '../scheduling/strategy-registry';
import type { SubmitTaskDto } from './dto/submit-task.dto';
import { SubmitCoalescer } from './submit-coalescer';

/**
 * A lone task without an idempotency key may share a script call with other lone submissions
 * (SubmitCoalescer). One with a key is stored on its own: its replay answer is the earlier task,
 * which a shared call must not blur.
 */
function coalescable(specs: readonly TaskSpec[]): boolean {
  return specs.length === 1 && specs[0].idempotencyKey === undefined;
}

/** Turns validated submissions into task specs (defaults, config bounds) and stores them. */
@Injectable()
export class TaskSubmission {
  private readonly submittedChannel: string;
  private readonly singles: SubmitCoalescer;

  constructor(
    private readonly tasks: TaskSubmissionStore,
    private readonly waker: LoopWaker,
    private readonly strategies: StrategyRegistry,
    private readonly metrics: DispatcherMetrics,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {
    this.submittedChannel = new ChannelNaming(config.prefix).channel(Patterns.TasksSubmitted);
    this.singles = new SubmitCoalescer(
      (specs, payloadJsons) => this.store(specs, Date.now(), payloadJsons),
      config.maxBatchSize,
    );
  }

  async submit(dtos: readonly SubmitTaskDto[]): Promise<SubmitOutcome[]> {
    if (dtos.length > this.config.maxBatchSize) {
      throw new LimitExceededError(
        'MAX_BATCH_SIZE',
        `tasks: a batch holds at most ${this.config.maxBatchSize} tasks (MAX_BATCH_SIZE), got ${dtos.length}`,
      );
    }
    const now = Date.now();
    const checked = dtos.map((dto, i) =>
      this.check(dto, now, dtos.length > 1 ? `tasks[${i}].` : ''),
    );
    const specs = checked.map((c) => c.spec);
    // the payloads as the JSON text whose size was checked: the records hold it, made once
    const payloadJsons = checked.map((c) => c.payloadJson);
    const outcomes = coalescable(specs)
      ? [await this.singles.submit(specs[0], payloadJsons[0])]
      : await this.store(specs, now, payloadJsons);
    this.countCreated(specs, outcomes);
    return outcomes;
  }

  /** The created tasks in the submitted counter: one increment per type, not per task (a label lookup each). */
  private countCreated(specs: readonly TaskSpec[], outcomes: readonly SubmitOutcome[]): void {
    const created = new Map<string, number>();
    for (let i = 0; i < outcomes.length; i++) {
      if (outcomes[i].created) created.set(specs[i].type, (created.get(specs[i].type) ?? 0) + 1);
    }
    for (const [type, count] of created) this.metrics.tasksSubmitted(type, count);
  }

  /**
   * One submit call. The script tells the leader (tasks.submitted); this dispatcher may be it,
   * so its own loop hears the same announcement at once, the lone task it names included: a
   * leader's pass then neither waits for the message nor misses it when the message is lost,
   * and decides a lone task without reading the queues (the waker takes the message that
   * follows as the same announcement). On another dispatcher the loop ignores it.
   */
  private async store(
    specs: readonly TaskSpec[],
    now: number,
    payloadJsons: readonly string[],
  ): Promise<SubmitOutcome[]> {
    const receipt = await this.tasks.submitTelling(specs, now, this.submittedChannel, payloadJsons);
    if (receipt.outcomes.some((o) => o.created)) this.waker.submitted(receipt.head);
    return receipt.outcomes;
  }

  /** Checks a submission against the config bounds and fills in defaults. */
  toSpec(dto: SubmitTaskDto, now: number, where: string): TaskSpec {
    return this.check(dto, now, where).spec;
  }

  /** toSpec, and the payload's JSON text that was measured. */
  private check(
    dto: SubmitTaskDto,
    now: number,
    where: string,
  ): { spec: TaskSpec; payloadJson: string } {
    const c = this.config;
    const payloadJson = JSON.stringify(dto.payload ?? null);
    if (exceedsUtf8Bytes(payloadJson, c.maxPayloadBytes)) {
      throw new LimitExceededError(
        'MAX_PAYLOAD_BYTES',
        `${where}payload is ${Buffer.byteLength(payloadJson)} bytes; the limit is ${c.maxPayloadBytes} (MAX_PAYLOAD_BYTES)`,
      );
    }
    const maxAttempts = dto.maxAttempts ?? maxAttemptsFor(c, dto.type);
    if (maxAttempts > c.maxAttemptsLimit) {
      throw new InvalidInputError(
        `${where}maxAttempts must not be greater than ${c.maxAttemptsLimit} (TASK_MAX_ATTEMPTS)`,
      );
    }
    const timeoutMs = dto.timeoutMs ?? c.defaultTimeoutMs;
    if (timeoutMs > c.maxTimeoutMs) {
      throw new InvalidInputError(
        `${where}timeoutMs must not be greater than ${c.maxTimeoutMs} (TASK_MAX_TIMEOUT_MS)`,
      );
    }
    if (dto.delayMs !== undefined && dto.runAt !== undefined) {
      throw new InvalidInputError(`${where}give delayMs or runAt, not both`);
    }
    if (dto.runAt !== undefined && dto.runAt > now + MAX_DELAY_MS) {
      throw new InvalidInputError(`${where}runAt must be at most 365 days from now (like delayMs)`);
    }
    const labels = dto.requirements?.labels ?? {};
    const labelCount = Object.keys(labels).length;
    if (labelCount > c.maxLabels) {
      throw new InvalidInputError(
        `${where}requirements.labels has ${labelCount} keys; at most ${c.maxLabels} (MAX_LABELS)`,
      );
    }
    this.strategies.assertSubmittable(dto.strategy);
    if (dto.dependsOn !== undefined && dto.dependsOn.length > c.maxDependsOn) {
      throw new InvalidInputError(
        `${where}dependsOn lists ${dto.dependsOn.length} tasks; at most ${c.maxDependsOn} (MAX_DEPENDS_ON)`,
      );
    }
    const runAt = dto.delayMs !== undefined ? now + dto.delayMs : dto.runAt;
    const r = dto.requirements;
    const spec: TaskSpec = {
      type: dto.type,
      payload: dto.payload ?? null,
      priority: dto.priority ?? 0,
      requirements: {
        slots: r?.slots ?? 1,
        cpu: r?.cpu ?? 0,
        memoryMb: r?.memoryMb ?? 0,
        labels,
      },
      maxAttempts,
      timeoutMs,
    };
    // optional fields only when given (assigned, not spread: a batch builds a thousand of these)
    if (dto.idempotencyKey !== undefined) spec.idempotencyKey = dto.idempotencyKey;
    if (dto.strategy !== undefined) spec.strategy = dto.strategy;
    if (dto.affinityKey !== undefined) spec.affinityKey = dto.affinityKey;
    if (runAt !== undefined && runAt > now) spec.runAt = runAt;
    if (dto.retry !== undefined) spec.retry = { ...dto.retry };
    if (dto.dependsOn !== undefined) spec.dependsOn = [...dto.dependsOn];
    return { spec, payloadJson };
  }
}
