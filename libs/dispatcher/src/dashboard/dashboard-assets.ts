import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface DashboardAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The dashboard's files (copied next to the build by scripts/build.js), read once at start and served from memory. */
@Injectable()
export class DashboardAssets {
  private readonly files = new Map<string, DashboardAsset>();

  constructor() {
    const dir = path.join(__dirname, 'public');
    for (const name of fs.readdirSync(dir)) {
      const type = TYPES[path.extname(name)];
      if (type === undefined) continue;
      const body = fs.readFileSync(path.join(dir, name));
      this.files.set(name, {
        body,
        contentType: type,
        etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`,
      });
    }
  }

  /** Only names of files we shipped: no path is ever built from the request. */
  get(name: string): DashboardAsset | undefined {
    return this.files.get(name);
  }
}
