import { parseApiKeys, type ApiKeyEntry } from '../auth/api-keys';
import type { ConfigVariable } from './config-variable';

/** API_KEYS: `name:sha256hex:scope|scope,...` (docs/security.md); empty = no keys. */
export function apiKeysVar(name: string, description: string): ConfigVariable<ApiKeyEntry[]> {
  return {
    name,
    description,
    defaultText: '(empty)',
    read(raw) {
      return parseApiKeys(raw ?? '', name);
    },
  };
}
