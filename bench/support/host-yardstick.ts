import { RedisInstance } from './redis-instance';

/**
 * How fast this host is right now, measured before a run. The machine is shared and its speed
 * drifts: on 2026-12-01 the same build and BullMQ alike ran 2–3× slower in some hours than in
 * others, and a plain JavaScript loop did not show it while a localhost round trip did (the
 * slow hours were slow in system calls and wake-ups). Absolute figures (p50 < 1 ms,
 * decisions/s, Redis µs per task) compare only between runs with close yardsticks; ratios
 * within one run always do.
 */
export interface HostYardstick {
  /** Best of three 10^8-step JavaScript loops, ms. */
  cpuLoopMs: number;
  /** Median of 2,000 sequential PINGs to a private redis-server over localhost, µs. */
  redisRoundTripUs: number;
}

function cpuLoopMs(): number {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const start = process.hrtime.bigint();
    let x = 0;
    for (let i = 0; i < 1e8; i++) x += i % 7;
    if (x < 0) throw new Error('unreachable: keeps the loop from being optimised away');
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return Math.round(best);
}

async function redisRoundTripUs(): Promise<number> {
  const redis = await RedisInstance.start();
  try {
    for (let i = 0; i < 200; i++) await redis.client.ping(); // warm: JIT and socket
    const samples: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const start = process.hrtime.bigint();
      await redis.client.ping();
      samples.push(Number(process.hrtime.bigint() - start) / 1e3);
    }
    samples.sort((a, b) => a - b);
    return Math.round(samples[samples.length >> 1]);
  } finally {
    await redis.stop();
  }
}

export async function measureHost(): Promise<HostYardstick> {
  return { cpuLoopMs: cpuLoopMs(), redisRoundTripUs: await redisRoundTripUs() };
}
