import {
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { SWITCHYARD_CONFIG, type SwitchyardConfig } from '../config/switchyard-config';
import {
  ApiKeyAccess,
  assertAuthConfigured,
  INSECURE_NO_AUTH_WARNING,
  type AccessDecision,
} from './api-key-access';
import { assertEveryRouteDeclaresAccess } from './http-routes';
import { RouteAccessRule } from './route-access.decorator';

/** The request of an authenticated call: the name of its key (rate limits are counted per name). */
export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  switchyardKeyName?: string;
}

interface HeaderSink {
  setHeader(name: string, value: string): void;
}

/**
 * The global guard of both apps' HTTP routes (APP_GUARD): a Bearer key from API_KEYS with the
 * route's scope, or a public route. Deny by default: a route without a rule is refused, and
 * at start a route without a rule stops the process. Bus messages are not HTTP and pass
 * (whoever can write to Redis is trusted: docs/trust-model.md).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger('ApiKeyGuard');
  private readonly access: ApiKeyAccess;

  constructor(
    private readonly reflector: Reflector,
    private readonly discovery: DiscoveryService,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {
    this.access = new ApiKeyAccess(config);
  }

  onModuleInit(): void {
    assertAuthConfigured(this.config);
    if (this.access.open) this.logger.warn(INSECURE_NO_AUTH_WARNING);
    const controllers = this.discovery
      .getControllers()
      .map((w) => w.metatype)
      .filter((t): t is Type => typeof t === 'function');
    assertEveryRouteDeclaresAccess(controllers);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const rule = this.reflector.getAllAndOverride(RouteAccessRule, [
      context.getHandler(),
      context.getClass(),
    ]);
    const authorization = req.headers.authorization;
    const decision = this.access.decide(
      rule,
      typeof authorization === 'string' ? authorization : undefined,
    );
    return admit(decision, req, http.getResponse<HeaderSink>());
  }
}

/** Applies a decision to a request: the key name on success, 401 (with WWW-Authenticate) or 403. */
export function admit(decision: AccessDecision, req: AuthenticatedRequest, res: HeaderSink): true {
  if (decision.allow) {
    if (decision.keyName !== undefined) req.switchyardKeyName = decision.keyName;
    return true;
  }
  const body = {
    statusCode: decision.status,
    error: decision.status === 401 ? 'unauthorized' : 'forbidden',
    message: decision.message,
  };
  if (decision.status === 401) {
    res.setHeader('WWW-Authenticate', 'Bearer realm="switchyard"');
    throw new UnauthorizedException(body);
  }
  throw new ForbiddenException(body);
}
