/**
 * Lets at most one log line through per window, so a flood (garbage on the bus, a Redis that
 * is away) cannot flood the log; the next line that goes out learns how many were held back.
 */
export class WindowedLog {
  private windowStart = -Infinity;
  private heldBack = 0;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Null when this line must be held back; else how many were held back since the last one. */
  admit(): { heldBack: number } | null {
    const now = this.now();
    if (now - this.windowStart < this.windowMs) {
      this.heldBack++;
      return null;
    }
    const heldBack = this.heldBack;
    this.windowStart = now;
    this.heldBack = 0;
    return { heldBack };
  }
}
