import { Injectable, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  BUILT_IN_STRATEGIES,
  loadConfig,
  Strategy,
  SWITCHYARD_CONFIG,
  type AssignmentStrategy,
  type NodeCandidate,
} from '@switchyard/core';
import { StrategyRegistry } from './strategy-registry';

@Injectable()
@Strategy('first-candidate')
class FirstCandidateStrategy implements AssignmentStrategy {
  select(_task: unknown, candidates: readonly NodeCandidate[]): NodeCandidate | null {
    return candidates[0] ?? null;
  }
}

@Injectable()
@Strategy('least-loaded')
class ImpostorStrategy implements AssignmentStrategy {
  select(): NodeCandidate | null {
    return null;
  }
}

@Injectable()
@Strategy('no-select')
class NoSelectStrategy {}

async function registryWith(
  env: Record<string, string>,
  providers: Type[],
): Promise<StrategyRegistry> {
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [
      { provide: SWITCHYARD_CONFIG, useValue: loadConfig(env) },
      StrategyRegistry,
      ...providers,
    ],
  }).compile();
  await moduleRef.init();
  return moduleRef.get(StrategyRegistry);
}

describe('the strategy registry', () => {
  it('discovers every built-in and a user provider by their @Strategy names', async () => {
    const registry = await registryWith({}, [...BUILT_IN_STRATEGIES, FirstCandidateStrategy]);
    expect(registry.names()).toEqual([
      'affinity',
      'best-fit',
      'first-candidate',
      'least-loaded',
      'power-of-two',
      'round-robin',
      'spread',
    ]);
  });

  it('resolves the task choice, then the type map, then the default', async () => {
    const registry = await registryWith(
      { DEFAULT_STRATEGY: 'spread', STRATEGY_BY_TYPE: '{"render":"best-fit"}' },
      [...BUILT_IN_STRATEGIES, FirstCandidateStrategy],
    );
    expect(registry.resolve('first-candidate', 'render')).toBeInstanceOf(FirstCandidateStrategy);
    expect(registry.resolve(undefined, 'render').constructor.name).toBe('BestFitStrategy');
    expect(registry.resolve(undefined, 'other').constructor.name).toBe('SpreadStrategy');
  });

  it('fails the start when DEFAULT_STRATEGY names no provider', async () => {
    await expect(
      registryWith({ DEFAULT_STRATEGY: 'fastest' }, [...BUILT_IN_STRATEGIES]),
    ).rejects.toThrow(
      /DEFAULT_STRATEGY: strategy "fastest" is not provided; known: affinity, best-fit/,
    );
  });

  it('fails the start when STRATEGY_BY_TYPE names no provider', async () => {
    await expect(
      registryWith({ STRATEGY_BY_TYPE: '{"render":"gpu-first"}' }, [...BUILT_IN_STRATEGIES]),
    ).rejects.toThrow(/STRATEGY_BY_TYPE \(type render\): strategy "gpu-first" is not provided/);
  });

  it('fails the start when two providers claim the same name', async () => {
    await expect(registryWith({}, [...BUILT_IN_STRATEGIES, ImpostorStrategy])).rejects.toThrow(
      /two providers are marked @Strategy\('least-loaded'\)/,
    );
  });

  it('fails the start when a strategy has no select()', async () => {
    await expect(registryWith({}, [...BUILT_IN_STRATEGIES, NoSelectStrategy])).rejects.toThrow(
      /strategy "no-select" \(NoSelectStrategy\) has no select\(\) method/,
    );
  });

  it('rejects a submitted strategy name nobody provides', async () => {
    const registry = await registryWith({}, [...BUILT_IN_STRATEGIES]);
    expect(() => registry.assertSubmittable('nope')).toThrow(/strategy "nope" is not known/);
    expect(() => registry.assertSubmittable('affinity')).not.toThrow();
  });
});
