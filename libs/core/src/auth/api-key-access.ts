import type { SwitchyardConfig } from '../config/switchyard-config';
import { ConfigError } from '../errors/switchyard.error';
import { findApiKey, type ApiKeyEntry } from './api-keys';
import type { PublicSwitch, RouteAccess } from './route-access.decorator';

/** What the guard does with one request. */
export type AccessDecision =
  { allow: true; keyName?: string } | { allow: false; status: 401 | 403; message: string };

type AuthConfig = Pick<
  SwitchyardConfig,
  | 'apiKeys'
  | 'insecureNoAuth'
  | 'authPublicReadiness'
  | 'authPublicMetrics'
  | 'authPublicDocs'
  | 'authPublicDashboard'
>;

/** Longer Authorization headers are refused unread: no key is this long. */
const MAX_AUTHORIZATION_LENGTH = 1024;
const BEARER = /^Bearer[ ]+([^\s]+)[ ]*$/i;

const UNAUTHENTICATED = 'missing or unknown API key: send "Authorization: Bearer <key>"';

/**
 * The access policy of both apps: which routes are public, whether the presented key is
 * known, whether it holds the route's scope. Pure: no Nest, no I/O (the guard and the docs
 * gate apply it). Answers never contain the presented key.
 */
export class ApiKeyAccess {
  constructor(private readonly config: AuthConfig) {}

  /** No keys and SWITCHYARD_INSECURE_NO_AUTH: every request is let in (development only). */
  get open(): boolean {
    return this.config.apiKeys.length === 0 && this.config.insecureNoAuth;
  }

  decide(rule: RouteAccess | undefined, authorization: string | undefined): AccessDecision {
    const key = this.keyOf(authorization);
    if (this.open) return { allow: true };
    if (rule === undefined) {
      return { allow: false, status: 403, message: 'this route declares no access rule' };
    }
    if ('public' in rule && this.isPublic(rule.public)) {
      return key === undefined ? { allow: true } : { allow: true, keyName: key.name };
    }
    if (key === undefined) return { allow: false, status: 401, message: UNAUTHENTICATED };
    if ('scope' in rule && !key.scopes.has(rule.scope)) {
      return {
        allow: false,
        status: 403,
        message: `API key "${key.name}" lacks the scope ${rule.scope}`,
      };
    }
    return { allow: true, keyName: key.name };
  }

  private isPublic(when: 'always' | PublicSwitch): boolean {
    switch (when) {
      case 'always':
        return true;
      case 'readiness':
        return this.config.authPublicReadiness;
      case 'metrics':
        return this.config.authPublicMetrics;
      case 'docs':
        return this.config.authPublicDocs;
      case 'dashboard':
        return this.config.authPublicDashboard;
    }
  }

  private keyOf(authorization: string | undefined): ApiKeyEntry | undefined {
    if (authorization === undefined || authorization.length > MAX_AUTHORIZATION_LENGTH) {
      return undefined;
    }
    const m = BEARER.exec(authorization);
    return m ? findApiKey(this.config.apiKeys, m[1]) : undefined;
  }
}

/**
 * No keys and no SWITCHYARD_INSECURE_NO_AUTH: a process that would serve its API to anyone
 * refuses to start instead.
 */
export function assertAuthConfigured(config: AuthConfig): void {
  if (config.apiKeys.length > 0 || config.insecureNoAuth) return;
  throw new ConfigError(
    'API_KEYS',
    'no API keys are configured, so the HTTP API would be open to anyone. Set API_KEYS ' +
      '(node scripts/api-key.js <name> <scope>... prints a key and its entry; see docs/security.md), ' +
      'or set SWITCHYARD_INSECURE_NO_AUTH=true for local development only',
  );
}

export const INSECURE_NO_AUTH_WARNING =
  'INSECURE: SWITCHYARD_INSECURE_NO_AUTH=true and no API_KEYS: every HTTP route of this process ' +
  'is open to anyone who can reach its port. For local development only (docs/security.md).';
