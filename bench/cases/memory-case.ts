import { BullmqSystem } from '../systems/bullmq-system';
import { SwitchyardSystem } from '../systems/switchyard-system';
import type { SystemUnderTest } from '../systems/system-under-test';
import type { BenchPlan } from '../support/bench-plan';
import { RedisInstance } from '../support/redis-instance';
import type { Results } from '../support/results';
import { CASE_NAMES } from './worker-cases';

/** Case 7: Redis bytes per queued task (256-byte payload), no worker taking them. Deterministic: one run. */
export async function runMemoryCase(plan: BenchPlan, results: Results): Promise<void> {
  if (!plan.cases.has(7)) return;
  const starts: ((r: RedisInstance) => Promise<SystemUnderTest>)[] = [
    (r) => SwitchyardSystem.start(r),
    (r) => BullmqSystem.start(r),
  ];
  for (const start of starts) {
    const redis = await RedisInstance.start();
    const system = await start(redis);
    try {
      const before = await redis.read();
      await system.enqueueOnly(plan.memoryTasks, plan.batchSize);
      const after = await redis.read();
      const perTask = (after.usedMemory - before.usedMemory) / plan.memoryTasks;
      results.add(
        CASE_NAMES[7],
        `Redis bytes / queued task (${plan.memoryTasks} queued)`,
        system.name,
        perTask,
      );
      process.stdout.write(
        `  ${CASE_NAMES[7]} ${system.name}: ${perTask.toFixed(0)} bytes per queued task\n`,
      );
    } finally {
      await system.close();
      await redis.stop();
    }
  }
}
