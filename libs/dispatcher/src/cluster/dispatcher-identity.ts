import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';

/**
 * Who this dispatcher process is. The id doubles as its leader-lease token, so the lease value
 * "<epoch>:<id>" names the leader. Random bits keep it unique when a restarted container gets
 * the same hostname and pid as its predecessor.
 */
@Injectable()
export class DispatcherIdentity {
  readonly host = os.hostname();
  readonly pid = process.pid;
  readonly id = `${this.host}-${this.pid}-${randomBytes(3).toString('hex')}`.replace(
    /[^A-Za-z0-9._-]/g,
    '_',
  );
  readonly startedAt = Date.now();
}
