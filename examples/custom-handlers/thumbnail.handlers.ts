import { Injectable } from '@nestjs/common';
import { TaskHandler, type TaskContext } from '@switchyard/core';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ThumbnailPayload } from './thumbnail.payload';

export interface Thumbnail {
  image: string;
  size: number;
  digest: string;
}

/** Pretends to render a thumbnail row by row, reporting progress as it goes. */
@Injectable()
export class ThumbnailHandlers {
  @TaskHandler('thumbnail.render', { payload: ThumbnailPayload, timeoutMs: 30_000 })
  async render(payload: ThumbnailPayload, ctx: TaskContext): Promise<Thumbnail> {
    const hash = createHash('sha256').update(payload.image);
    for (let row = 1; row <= payload.size; row++) {
      hash.update(String(row));
      ctx.progress((row / payload.size) * 100, { row });
      await sleep(5, undefined, { signal: ctx.signal }); // a real renderer awaits I/O here
    }
    return { image: payload.image, size: payload.size, digest: hash.digest('hex') };
  }
}
