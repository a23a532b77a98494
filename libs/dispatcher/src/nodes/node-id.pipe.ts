import { Injectable, type PipeTransform } from '@nestjs/common';
import { InvalidInputError } from '@switchyard/core';

/** The spelling NODE_ID allows: a worker can only ever register under such an id. */
const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** `:id` of the node routes: refused with 400 before it reaches Redis unless it can be a node id. */
@Injectable()
export class NodeIdPipe implements PipeTransform<string, string> {
  transform(id: string): string {
    if (!NODE_ID.test(id)) {
      throw new InvalidInputError(
        `node id must be 1-64 characters of letters, digits, . _ - (got ${id.length} characters)`,
      );
    }
    return id;
  }
}
