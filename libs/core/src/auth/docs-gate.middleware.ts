import type { HttpException } from '@nestjs/common';
import type { SwitchyardConfig } from '../config/switchyard-config';
import { ApiKeyAccess } from './api-key-access';
import { admit, type AuthenticatedRequest } from './api-key.guard';

interface ExpressResponse {
  setHeader(name: string, value: string): void;
  status(code: number): { json(body: unknown): void };
}

/**
 * Express middleware for routes served outside Nest's router (the OpenAPI UI and document
 * under /docs): the guard's policy, with the `docs` switch.
 */
export function docsGate(
  config: SwitchyardConfig,
): (req: AuthenticatedRequest, res: ExpressResponse, next: () => void) => void {
  const access = new ApiKeyAccess(config);
  return (req, res, next) => {
    const authorization = req.headers.authorization;
    const decision = access.decide(
      { public: 'docs' },
      typeof authorization === 'string' ? authorization : undefined,
    );
    try {
      admit(decision, req, res);
    } catch (err) {
      const refusal = err as HttpException;
      res.status(refusal.getStatus()).json(refusal.getResponse());
      return;
    }
    next();
  };
}
