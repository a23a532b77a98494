import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A throwaway CA with a server certificate (localhost, 127.0.0.1) and a client certificate. */
export class TlsCertificates {
  private constructor(readonly dir: string) {}

  static create(): TlsCertificates {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-tls-'));
    const ssl = (...args: string[]): void => {
      execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    };
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=switchyard-test-ca',
    );
    fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    for (const who of ['server', 'client']) {
      ssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${who}.key`,
        '-out',
        `${who}.csr`,
        '-subj',
        `/CN=${who === 'server' ? 'localhost' : 'switchyard-app'}`,
      );
      ssl(
        'x509',
        '-req',
        '-in',
        `${who}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${who}.crt`,
        '-days',
        '2',
        ...(who === 'server' ? ['-extfile', 'server.ext'] : []),
      );
    }
    return new TlsCertificates(dir);
  }

  file(name: 'ca.crt' | 'server.crt' | 'server.key' | 'client.crt' | 'client.key'): string {
    return path.join(this.dir, name);
  }

  /** redis-server arguments for a TLS port that also requires a client certificate. */
  serverArgs(tlsPort: number): string[] {
    return [
      '--tls-port',
      String(tlsPort),
      '--tls-cert-file',
      this.file('server.crt'),
      '--tls-key-file',
      this.file('server.key'),
      '--tls-ca-cert-file',
      this.file('ca.crt'),
      '--tls-auth-clients',
      'yes',
    ];
  }

  destroy(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
