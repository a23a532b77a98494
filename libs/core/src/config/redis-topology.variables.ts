import { ConfigError } from '../errors/switchyard.error';
import type { ConfigVariable } from './config-variable';

export interface HostPort {
  host: string;
  port: number;
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** A comma-separated "host:port" list (Sentinels, Cluster seed nodes); empty = not used. */
export function hostListVar(name: string, description: string): ConfigVariable<HostPort[]> {
  return {
    name,
    description,
    defaultText: '(empty)',
    read(raw) {
      if (raw === undefined || raw.trim() === '') return [];
      return raw.split(',').map((part) => {
        const m = HOST_PORT.exec(part.trim());
        const port = m ? Number(m[2]) : 0;
        if (!m || port < 1 || port > 65535) {
          throw new ConfigError(name, `"${part.trim()}" is not host:port`);
        }
        return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
      });
    },
  };
}

/**
 * SUBMIT_DURABILITY: "none" answers 201 once the primary has the task; "replicas:N" also
 * waits (Redis WAIT) until N replicas have it. Read as the number of replicas (0 = none).
 */
export function durabilityVar(name: string, description: string): ConfigVariable<number> {
  return {
    name,
    description,
    defaultText: 'none',
    read(raw) {
      const value = raw === undefined || raw.trim() === '' ? 'none' : raw.trim();
      if (value === 'none') return 0;
      const m = /^replicas:(\d{1,2})$/.exec(value);
      if (!m || Number(m[1]) < 1) {
        throw new ConfigError(
          name,
          `must be "none" or "replicas:N" with N from 1 to 99, got "${value}"`,
        );
      }
      return Number(m[1]);
    },
  };
}
