import type { Provider } from '@nestjs/common';
import { SWITCHYARD_CONFIG } from './switchyard-config';

/**
 * For modules built with ConfigurableModuleBuilder<SwitchyardConfig>: turns the builder's
 * options provider into the SWITCHYARD_CONFIG provider (same useValue, or same useFactory and
 * inject), so forRoot and forRootAsync build the same graph. Returns it and the other providers.
 * Only `useValue` (forRoot) and `useFactory` (forRootAsync) are supported.
 */
export function takeConfigProvider(
  providers: readonly Provider[],
  optionsToken: string | symbol,
): { configProvider: Provider; rest: Provider[] } {
  type ObjectProvider = Extract<Provider, { provide: unknown }>;
  const isOptions = (p: Provider): p is ObjectProvider =>
    typeof p === 'object' && 'provide' in p && p.provide === optionsToken;
  const options = providers.find(isOptions);
  if (options === undefined || (!('useValue' in options) && !('useFactory' in options))) {
    throw new Error(
      'Switchyard modules take a config: forRoot(config) or forRootAsync({ useFactory, inject, imports })',
    );
  }
  return {
    configProvider: { ...options, provide: SWITCHYARD_CONFIG } as Provider,
    rest: providers.filter((p) => !isOptions(p)),
  };
}
