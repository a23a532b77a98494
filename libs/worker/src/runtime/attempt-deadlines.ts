/** Node caps a timer's delay at 2^31 − 1 ms (a longer one fires after 1 ms, with a warning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** An attempt's deadline, on the deadlines' clock (performance.now() unless told otherwise). */
export interface WithDeadline {
  readonly deadline: number;
}

/**
 * The timeouts of the attempts running on this node, behind one timer. A timer per attempt costs
 * a setTimeout and a clearTimeout per task, a visible share of a no-op task's CPU; here the timer
 * is set for the earliest deadline and, when it fires, the running attempts (at most the node's
 * slots) are scanned for the expired ones. An attempt that ends leaves the timer as it is: it
 * fires once per timeout period at most, finds nothing expired and is set for the next deadline.
 */
export class AttemptDeadlines<T extends WithDeadline> {
  private timer: NodeJS.Timeout | undefined;
  /** The deadline the timer is set for (Infinity: not set). */
  private armedFor = Infinity;

  /**
   * `running`: the attempts to look at when the timer fires; `expire`: called for one whose
   * deadline has passed; `isOver`: true for one already aborted (skipped, and no reason to set
   * the timer again, while it winds down).
   */
  constructor(
    private readonly running: () => Iterable<T>,
    private readonly expire: (attempt: T) => void,
    private readonly isOver: (attempt: T) => boolean,
    // monotonic, as a timer per attempt was: a wall-clock step must not move a timeout
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The clock deadlines are read on. */
  clock(): number {
    return this.now();
  }

  /** Makes sure the timer fires by `deadline`. */
  watch(deadline: number): void {
    if (deadline < this.armedFor) this.arm(deadline, this.now());
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private arm(deadline: number, now: number): void {
    clearTimeout(this.timer);
    this.armedFor = deadline;
    // unref: the node's connections and heartbeat keep the process alive, not this timer
    this.timer = setTimeout(this.fire, Math.min(MAX_TIMER_MS, Math.max(0, deadline - now)));
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    let next = Infinity;
    for (const attempt of this.running()) {
      if (this.isOver(attempt)) continue;
      if (attempt.deadline <= now) this.expire(attempt);
      else if (attempt.deadline < next) next = attempt.deadline;
    }
    if (next !== Infinity) this.arm(next, now);
  };
}
