/**
 * The lone tasks announced to the loop once so far. A task this dispatcher stored is announced
 * twice: by its own submit (TaskSubmission) and by the submit's tasks.submitted message, in
 * either order. The first asks for a pass, which starts after the task was committed and so
 * decides it or reads past it; the second asks for nothing (it would clear the lone head of a
 * pending pass, or queue a read pass behind a running one).
 *
 * A forged or replayed copy costs at most a pass, never one that is needed: a message naming a
 * task exists only once the task is committed, so whichever announcement of it comes first asks
 * for a pass that finds it.
 *
 * Bounded: a task announced only once (the message lost, another dispatcher's submit) stays
 * until newer ones push it out; one pushed out before its second announcement costs a pass.
 */
export class AnnouncedHeads {
  private readonly once = new Set<string>();

  constructor(private readonly capacity = 256) {}

  /** True when `id` was announced before (and is forgotten now); else remembers it. */
  repeated(id: string): boolean {
    if (this.once.delete(id)) return true;
    if (this.once.size >= this.capacity) {
      // a Set iterates in insertion order: the oldest goes
      const oldest = this.once.values().next().value as string;
      this.once.delete(oldest);
    }
    this.once.add(id);
    return false;
  }
}
