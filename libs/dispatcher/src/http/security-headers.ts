import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * helmet with a Content-Security-Policy the dashboard (/) and Swagger UI (/docs) work under:
 * scripts only from this origin and never inline (neither loads inline scripts or handlers);
 * inline styles allowed, as Swagger UI's page carries a `<style>` block and style attributes;
 * images from here or data: URLs (Swagger UI's icons). Nothing is loaded from elsewhere. No
 * upgrade-insecure-requests: a dispatcher is often reached over plain HTTP inside a cluster,
 * where upgraded asset requests would fail.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
      },
    },
    frameguard: { action: 'deny' },
    // the app never sets X-Powered-By (configureDispatcherHttp disables it): nothing to remove
    xPoweredBy: false,
  });
}
