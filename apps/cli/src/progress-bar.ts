/**
 * A progress bar on stderr for waiting on many tasks. On a terminal it redraws one line; in a
 * pipe or log it prints a line only when the count moves by a tenth (or at the end), so logs
 * stay short.
 */
export class ProgressBar {
  private lastDecile = -1;
  private readonly tty: boolean;

  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly width = 30,
  ) {
    this.tty = out.isTTY === true;
  }

  update(done: number, detail: string): void {
    const line = this.render(done, detail);
    if (this.tty) {
      this.out.write(`\r${line}\x1b[K`);
      if (done >= this.total) this.out.write('\n');
      return;
    }
    const decile = Math.floor((10 * done) / Math.max(1, this.total));
    if (decile === this.lastDecile) return;
    this.lastDecile = decile;
    this.out.write(`${line}\n`);
  }

  render(done: number, detail: string): string {
    const share = this.total === 0 ? 1 : Math.min(1, done / this.total);
    const filled = Math.round(share * this.width);
    return `[${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}] ${done}/${this.total} ${detail}`.trimEnd();
  }
}
