/** How big each case is; `--quick` shrinks every case so the whole run fits in a minute. */
export interface BenchPlan {
  quick: boolean;
  reps: number;
  batchSize: number;
  noopTasks: number;
  singleSubmitMs: number;
  singleSubmitConnections: number;
  latencyTasks: number;
  sleepTasks: number;
  scheduledTasks: number;
  nodeCounts: number[];
  memoryTasks: number;
  /** Write V8 CPU profiles of every process here (`--profile <dir>`). */
  profileDir?: string;
  /** Run only these case numbers (`--cases 1,3`). */
  cases: Set<number>;
}

export function planFromArgs(argv: readonly string[]): BenchPlan {
  const quick = argv.includes('--quick');
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const reps = value('--reps');
  const cases = value('--cases');
  const profileDir = value('--profile');
  return {
    quick,
    reps: reps !== undefined ? Number(reps) : quick ? 1 : 3,
    batchSize: 1000,
    noopTasks: quick ? 2000 : 20_000,
    singleSubmitMs: quick ? 1000 : 5000,
    singleSubmitConnections: 10,
    latencyTasks: quick ? 50 : 1000,
    sleepTasks: quick ? 1000 : 5000,
    scheduledTasks: quick ? 5000 : 50_000,
    nodeCounts: [10, 100, 1000],
    memoryTasks: quick ? 10_000 : 100_000,
    ...(profileDir !== undefined && { profileDir }),
    cases: new Set((cases ?? '1,2,3,4,5,6,7').split(',').map(Number)),
  };
}
