import { AffinityStrategy } from './affinity.strategy';
import { BestFitStrategy } from './best-fit.strategy';
import { LeastLoadedStrategy } from './least-loaded.strategy';
import { PowerOfTwoStrategy } from './power-of-two.strategy';
import { RoundRobinStrategy } from './round-robin.strategy';
import { SpreadStrategy } from './spread.strategy';

/** Every strategy Switchyard ships, as Nest providers (the dispatcher registers them all). */
export const BUILT_IN_STRATEGIES = [
  LeastLoadedStrategy,
  RoundRobinStrategy,
  PowerOfTwoStrategy,
  BestFitStrategy,
  SpreadStrategy,
  AffinityStrategy,
] as const;
