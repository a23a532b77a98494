import { Injectable, type PipeTransform } from '@nestjs/common';
import { InvalidInputError, isTaskId } from '@switchyard/core';

/** `:id` of the schedule routes: schedule ids are ULIDs, like task ids; anything else is a 400. */
@Injectable()
export class ScheduleIdPipe implements PipeTransform<string, string> {
  transform(id: string): string {
    if (!isTaskId(id)) {
      throw new InvalidInputError(
        `"${id.slice(0, 64)}" is not a schedule id (a 26-character ULID)`,
      );
    }
    return id;
  }
}
