import type { SystemUnderTest } from '../systems/system-under-test';
import { totalCpuMicros } from './proc-usage';
import { RedisInstance, type RedisDelta } from './redis-instance';

/** Everything one measured run cost. */
export interface RunFigures {
  tasks: number;
  elapsedMs: number;
  redis: RedisDelta;
  workerCpuUs: number;
  dispatcherCpuUs: number;
  /** This bench process: the submitting client and completion listener of the system. */
  submitterCpuUs: number;
}

/** Runs `work` and reads Redis INFO and /proc CPU of the system's processes around it. */
export async function measure(
  system: SystemUnderTest,
  tasks: number,
  work: () => Promise<void>,
): Promise<RunFigures> {
  const workerPids = system.workerPids();
  const dispatcherPids = system.dispatcherPids();
  const before = await system.redis.read();
  const workerBefore = totalCpuMicros(workerPids);
  const dispatcherBefore = totalCpuMicros(dispatcherPids);
  const submitterBefore = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const elapsedMs = performance.now() - t0;
  const submitter = process.cpuUsage(submitterBefore);
  const workerCpuUs = totalCpuMicros(workerPids) - workerBefore;
  const dispatcherCpuUs = totalCpuMicros(dispatcherPids) - dispatcherBefore;
  const after = await system.redis.read();
  return {
    tasks,
    elapsedMs,
    redis: RedisInstance.delta(before, after),
    workerCpuUs,
    dispatcherCpuUs,
    submitterCpuUs: submitter.user + submitter.system,
  };
}

/** The per-task cost rows every case reports. */
export function costPerTask(f: RunFigures): Record<string, number> {
  return {
    'Lua scripts / task': f.redis.scripts / f.tasks,
    'Redis commands / task': f.redis.commands / f.tasks,
    'Redis CPU µs / task': f.redis.cpuUs / f.tasks,
    'worker CPU µs / task': f.workerCpuUs / f.tasks,
    'dispatcher CPU µs / task': f.dispatcherCpuUs / f.tasks,
    'submitter CPU µs / task': f.submitterCpuUs / f.tasks,
  };
}
