import * as fs from 'node:fs';
import { ConfigError } from '../errors/switchyard.error';
import type { ConfigVariable } from './config-variable';

/** The URL with its password replaced, for messages and logs. */
export function redactRedisUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    // not a URL: hide whatever sits between "//" and "@", where a password would be
    return raw.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/**
 * REDIS_URL: redis:// or rediss:// (TLS), user and password in the URL (percent-encoded), an
 * optional db number. Checked whole at start; an error never repeats the password.
 */
export function redisUrlVar(
  name: string,
  description: string,
  fallback: string,
): ConfigVariable<string> {
  return {
    name,
    description,
    defaultText: fallback,
    read(raw) {
      const value = raw === undefined || raw.trim() === '' ? fallback : raw.trim();
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        throw new ConfigError(name, `is not a URL: "${redactRedisUrl(value)}"`);
      }
      const problem =
        url.protocol !== 'redis:' && url.protocol !== 'rediss:'
          ? 'must start with redis:// or rediss://'
          : url.hostname === ''
            ? 'has no host'
            : !/^(\/\d{0,5})?$/.test(url.pathname)
              ? 'path must be a db number (/0 to /99999)'
              : null;
      if (problem !== null) throw new ConfigError(name, `${problem}: "${redactRedisUrl(value)}"`);
      return value;
    },
  };
}

/** TLS material for Redis connections (rediss://), read from the REDIS_TLS_* files at start. */
export interface RedisTls {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

function readFile(variable: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      variable,
      `cannot read "${file}": ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

/**
 * The TLS options of every Redis connection (commands, the bus, the client), or undefined
 * for plain TCP. rediss:// turns TLS on; the files add a private CA and a client certificate
 * (for `tls-auth-clients yes`). Giving files without rediss:// is a mistake, not a hint.
 */
export function redisTlsOf(settings: {
  redisUrl: string;
  redisTlsCaFile: string;
  redisTlsCertFile: string;
  redisTlsKeyFile: string;
  redisTlsRejectUnauthorized: boolean;
}): RedisTls | undefined {
  const files = [settings.redisTlsCaFile, settings.redisTlsCertFile, settings.redisTlsKeyFile];
  if (!settings.redisUrl.startsWith('rediss://')) {
    if (files.some((f) => f !== ''))
      throw new ConfigError('REDIS_URL', 'REDIS_TLS_* files are set: use a rediss:// URL for TLS');
    return undefined;
  }
  if ((settings.redisTlsCertFile === '') !== (settings.redisTlsKeyFile === ''))
    throw new ConfigError(
      'REDIS_TLS_CERT_FILE',
      'give REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE together',
    );
  return {
    ...(settings.redisTlsCaFile !== '' && {
      ca: readFile('REDIS_TLS_CA_FILE', settings.redisTlsCaFile),
    }),
    ...(settings.redisTlsCertFile !== '' && {
      cert: readFile('REDIS_TLS_CERT_FILE', settings.redisTlsCertFile),
      key: readFile('REDIS_TLS_KEY_FILE', settings.redisTlsKeyFile),
    }),
    rejectUnauthorized: settings.redisTlsRejectUnauthorized,
  };
}
